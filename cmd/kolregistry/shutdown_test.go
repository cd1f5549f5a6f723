package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// SIGTERM to a real `serve` during an export and with a subscriber: /readyz turns 503 at once
// while queries are still served for SHUTDOWN_DELAY, the export streams to its last row within
// SHUTDOWN_GRACE, the subscriber gets close code 1001, and the process exits 0.
func TestServe_SIGTERMFlipsReadinessDrainsTheExportClosesSocketsExits0(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	ctx := context.Background()
	t0 := time.Now()
	d, err := dbtest.Create(ctx, "cmd_shutdown")
	if err != nil {
		if dbtest.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer d.Drop()
	const rows = 20_000
	sdb, err := sql.Open("postgres", d.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`INSERT INTO influencer (display_name, aliases, categories)
		SELECT 'Người ảnh hưởng số ' || g, ARRAY['bí danh dài để tệp lớn hơn ' || g, 'một bí danh khác nữa ' || g], ARRAY['FOOD']
		FROM generate_series(1, $1) g`, rows); err != nil {
		t.Fatal(err)
	}
	sdb.Close()

	t.Logf("database ready in %v", time.Since(t0))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	cmd := exec.Command(os.Args[0], "serve")
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "REDIS_URL=") && !strings.HasPrefix(e, "JWT_KEYS=") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env, "KOLREGISTRY_CLI_TEST=1", "DATABASE_URL="+d.URL, "LISTEN_ADDR="+addr,
		"SHUTDOWN_DELAY=1s", "SHUTDOWN_GRACE=40s", "RATE_LIMIT_ANON=100000000")
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	done := false
	defer func() {
		if !done {
			cmd.Process.Kill()
			<-exited
		}
	}()

	get := func(path string) (int, string) {
		c := http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if st, _ := get("/readyz"); st == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never became ready:\n%s", logs.String())
		}
	}

	t.Logf("serve ready in %v", time.Since(t0))
	resp, err := http.Get(base + "/export/influencers.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("export: HTTP %d", resp.StatusCode)
	}
	lines := 0
	br := bufio.NewReaderSize(resp.Body, 4096)
	readLines := func(n int) error { // slowly: a client on a slow link
		for i := 0; i < n; i++ {
			if _, err := br.ReadString('\n'); err != nil {
				return err
			}
			lines++
			if lines%500 == 0 {
				time.Sleep(40 * time.Millisecond)
			}
		}
		return nil
	}
	if err := readLines(1000); err != nil {
		t.Fatal(err)
	}

	// A subscriber: told 1001 "going away" when the server shuts down, so it reconnects elsewhere.
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	ws, _, err := websocket.Dial(wctx, "ws://"+addr+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	wsjson.Write(wctx, ws, map[string]any{"type": "connection_init", "payload": map[string]any{}})
	var ack struct{ Type string }
	if err := wsjson.Read(wctx, ws, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %v %+v", err, ack)
	}
	wsjson.Write(wctx, ws, map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": "subscription { sanctionRecorded { id } }"}})
	closed := make(chan error, 1)
	go func() {
		for {
			var m map[string]any
			if err := wsjson.Read(wctx, ws, &m); err != nil {
				closed <- err
				return
			}
			if m["type"] == "ping" {
				wsjson.Write(wctx, ws, map[string]any{"type": "pong"})
			}
		}
	}()

	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Within half of SHUTDOWN_DELAY (1 s), so that the query below still falls inside it.
	testwait.Until(t, 500*time.Millisecond, "/readyz to answer 503 shutting down after SIGTERM", func() bool {
		st, body := get("/readyz")
		return st == http.StatusServiceUnavailable && strings.Contains(body, "shutting down")
	})
	if st, body := get(`/graphql?query=%7B%20registryHead%20%7B%20seq%20%7D%20%7D`); st != 200 {
		t.Errorf("a query during SHUTDOWN_DELAY: HTTP %d %s", st, body)
	}
	if lines >= rows {
		t.Fatal("the export finished before SIGTERM: nothing was drained")
	}
	for {
		_, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("export cut after %d of %d lines: %v\n%s", lines, rows, err, logs.String())
		}
		lines++
		if lines%500 == 0 {
			time.Sleep(40 * time.Millisecond)
		}
	}
	if lines != rows {
		t.Errorf("export drained with %d lines, want %d", lines, rows)
	}
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("subscriber: %v, want close 1001 going away", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the subscriber was not closed on shutdown")
	}
	select {
	case err := <-exited:
		done = true
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM:\n%s", err, logs.String())
		}
	case <-time.After(45 * time.Second):
		t.Fatalf("serve still running 45 s after SIGTERM:\n%s", logs.String())
	}
	t.Logf("export of %d rows drained; exited %v after SIGTERM", lines, time.Since(signalled))
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs.String())
	}
}
