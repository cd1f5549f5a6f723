package dbtest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// StartStandby makes a streaming replica of the (running) cluster c, as an operator would:
// pg_basebackup -R (which writes primary_conninfo and standby.signal) into a new directory,
// its own loopback port, recovery_min_apply_delay = applyDelay (e.g. "1500ms", "0" for none)
// to make replication lag visible, then starts it. It is stopped and removed when the test
// ends; Stop and Start work on it as on c.
func (c *Cluster) StartStandby(t testing.TB, applyDelay string) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "kolregistry-standby-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Cluster{bin: c.bin, dir: dir, cred: c.cred}
	if _, err := os.Stat(filepath.Join(s.bin, "pg_basebackup")); err != nil {
		// initdb and pg_ctl on PATH may be links into the installation that has the rest.
		if ctl, err := filepath.EvalSymlinks(filepath.Join(s.bin, "pg_ctl")); err == nil {
			s.bin = filepath.Dir(ctl)
		}
	}
	t.Cleanup(func() {
		s.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if c.cred != nil {
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := s.run("pg_basebackup", "-D", s.data(), "-h", "127.0.0.1", "-p", fmt.Sprint(c.Port),
		"-U", "postgres", "-R", "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	// Appended after the primary's settings copied with the data directory: the later line wins.
	conf := fmt.Sprintf("\nport = %d\nhot_standby = on\nrecovery_min_apply_delay = '%s'\n"+
		"wal_receiver_status_interval = 1s\nhot_standby_feedback = on\n", s.Port, applyDelay)
	f, err := os.OpenFile(filepath.Join(s.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Start(t)
	return s
}
