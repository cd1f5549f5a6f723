package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of masters without replicas, each a private redis-server on
// loopback, created with `redis-cli --cluster create` as an operator would.
type Cluster struct {
	t     testing.TB
	Ports []int
	procs []*exec.Cmd
}

// StartCluster runs a cluster of n masters (at least 3, as redis-cli requires) and waits until
// every node reports cluster_state:ok. Skipped (failed under CI=true) without redis-server.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	requireBinaries(t, "redis-server", "redis-cli")
	dir := t.TempDir()
	c := &Cluster{t: t}
	t.Cleanup(c.Kill)
	for range n {
		port := freeClusterPort(t)
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--protected-mode", "no",
			"--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
			"--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", port)), "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatalf("start redis-server (cluster node): %v", err)
		}
		c.Ports = append(c.Ports, port)
		c.procs = append(c.procs, cmd)
	}
	for _, p := range c.Ports {
		waitPing(t, "127.0.0.1:"+strconv.Itoa(p))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range c.Addrs() {
		cl := redis.NewClient(&redis.Options{Addr: a})
		eventually(t, 20*time.Second, "cluster_state:ok on "+a, func() bool {
			info, err := cl.ClusterInfo(context.Background()).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok")
		})
		cl.Close()
	}
	return c
}

// Addrs are the nodes' host:port.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, p := range c.Ports {
		out = append(out, "127.0.0.1:"+strconv.Itoa(p))
	}
	return out
}

// URL is the cluster's REDIS_URL: the seed nodes, comma-separated.
func (c *Cluster) URL() string { return "redis://" + strings.Join(c.Addrs(), ",") }

// Client is a cluster client, for tests to look inside.
func (c *Cluster) Client() *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

// Kill stops every node.
func (c *Cluster) Kill() {
	for _, p := range c.procs {
		p.Process.Kill()
		p.Wait()
	}
	c.procs = nil
}

// Sentinel is a Redis primary with one replica, watched by one Sentinel (quorum 1) that fails
// over within about a second of the primary going down.
type Sentinel struct {
	t                testing.TB
	Master           string // the sentinel's name of the monitored primary
	SentinelPort     int
	Primary, Standby *Server
	sentinel         *exec.Cmd
}

// StartSentinel runs the primary, its replica and the sentinel, and waits until the sentinel
// knows the replica (so a failover has somewhere to go).
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	requireBinaries(t, "redis-server")
	s := &Sentinel{t: t, Master: "kolregistry"}
	s.Primary = Start(t)
	s.Standby = startServer(t, "--replicaof", "127.0.0.1", strconv.Itoa(s.Primary.Port))
	primary := redis.NewClient(&redis.Options{Addr: s.Primary.Addr()})
	defer primary.Close()
	eventually(t, 15*time.Second, "the replica streams from the primary", func() bool {
		info, err := primary.Info(context.Background(), "replication").Result()
		return err == nil && strings.Contains(info, "connected_slaves:1") && strings.Contains(info, "state=online")
	})

	s.SentinelPort = freePort(t)
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`port %d
bind 127.0.0.1
protected-mode no
sentinel monitor %s 127.0.0.1 %d 1
sentinel down-after-milliseconds %s 500
sentinel failover-timeout %s 5000
sentinel parallel-syncs %s 1
`, s.SentinelPort, s.Master, s.Primary.Port, s.Master, s.Master, s.Master)), 0o600); err != nil {
		t.Fatal(err)
	}
	s.sentinel = exec.Command("redis-server", conf, "--sentinel")
	if err := s.sentinel.Start(); err != nil {
		t.Fatalf("start redis sentinel: %v", err)
	}
	t.Cleanup(func() {
		s.sentinel.Process.Kill()
		s.sentinel.Wait()
	})
	sc := s.SentinelClient()
	eventually(t, 20*time.Second, "the sentinel knows the replica", func() bool {
		replicas, err := sc.Replicas(context.Background(), s.Master).Result()
		if err != nil || len(replicas) != 1 {
			return false
		}
		return !strings.Contains(replicas[0]["flags"], "down") && replicas[0]["master-link-status"] == "ok"
	})
	return s
}

// URL is the REDIS_URL of the sentinel form.
func (s *Sentinel) URL() string {
	return fmt.Sprintf("redis+sentinel://127.0.0.1:%d/%s", s.SentinelPort, s.Master)
}

// SentinelClient talks to the sentinel itself.
func (s *Sentinel) SentinelClient() *redis.SentinelClient {
	c := redis.NewSentinelClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(s.SentinelPort)})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// PrimaryAddr is where the sentinel says the primary is now.
func (s *Sentinel) PrimaryAddr() string {
	addr, err := s.SentinelClient().GetMasterAddrByName(context.Background(), s.Master).Result()
	if err != nil || len(addr) != 2 {
		return ""
	}
	return net.JoinHostPort(addr[0], addr[1])
}

// startServer is Start with extra redis-server arguments.
func startServer(t testing.TB, extra ...string) *Server {
	t.Helper()
	s := &Server{t: t, Port: freePort(t), extra: extra}
	s.Restart()
	t.Cleanup(s.Kill)
	return s
}

func requireBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not on PATH, and CI=true: install Redis 7 to run these tests", name)
			}
			t.Skipf("%s is not on PATH: skipping (set CI=true to make this fail)", name)
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeClusterPort is a free port whose cluster bus port (+10000) is free too.
func freeClusterPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		p := 20000 + int(time.Now().UnixNano()%35000)
		a, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		b, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return p
	}
	t.Fatal("no free port pair for a cluster node")
	return 0
}

func waitPing(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	eventually(t, 15*time.Second, "redis-server on "+addr+" answers", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.Ping(ctx).Err() == nil
	})
}

// eventually polls cond every 20 ms until it holds, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", timeout, what)
		}
	}
}
