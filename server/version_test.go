package server

import (
	"encoding/json"
	"net/http"
	"runtime"
	"runtime/debug"
	"testing"
)

// The linker's -X values win; without them the toolchain's VCS stamp is used, marked dirty
// when the tree was modified; with neither the version is "devel".
func TestBuildInfo_LdflagsThenVCSStamp(t *testing.T) {
	stamp := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		name            string
		v, commit, date string
		info            *debug.BuildInfo
		want            BuildInfo
	}{
		{"release", "v1.2.0", "f00d", "2026-11-30T00:00:00Z", stamp, BuildInfo{"v1.2.0", "f00d", "2026-11-30T00:00:00Z", runtime.Version()}},
		{"go build", "", "", "", stamp, BuildInfo{"devel", "abc123+dirty", "2026-12-01T10:00:00Z", runtime.Version()}},
		{"go install module@v1.1.0", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.1.0"}}, BuildInfo{"v1.1.0", "", "", runtime.Version()}},
		{"no stamp", "", "", "", nil, BuildInfo{"devel", "", "", runtime.Version()}},
	} {
		if got := buildInfo(c.v, c.commit, c.date, c.info, c.info != nil); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestVersion_ServesTheBuild(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/version", nil))
	var got BuildInfo
	if err := json.Unmarshal([]byte(r.body), &got); r.status != 200 || err != nil || got != Build() || got.GoVersion != runtime.Version() {
		t.Errorf("GET /version: HTTP %d %s (%v), want %+v", r.status, r.body, err, Build())
	}
}
