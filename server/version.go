package server

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
)

// Set at link time by `make release` (docs/cli.md, "Versions and releases"):
//
//	go build -ldflags "-X github.com/kolregistry/kolregistry/server.version=v1.2.0 \
//	  -X github.com/kolregistry/kolregistry/server.commit=… -X github.com/kolregistry/kolregistry/server.date=…"
//
// A plain `go build` leaves them empty and Build falls back to what the Go toolchain stamped
// into the binary (debug.BuildInfo: the module version and the VCS revision and time).
var version, commit, date string

// BuildInfo says which build of the server is running: `kolregistry --version`, GET /version
// and the kolregistry_build_info metric report it.
type BuildInfo struct {
	Version   string `json:"version"`   // release tag, e.g. v1.2.0; "devel" for an untagged build
	Commit    string `json:"commit"`    // VCS revision, "+dirty" when built from a modified tree; "" unknown
	Date      string `json:"date"`      // build (or commit) time, RFC 3339; "" unknown
	GoVersion string `json:"goVersion"` // the Go toolchain that built it
}

var buildOnce = sync.OnceValue(func() BuildInfo {
	info, ok := debug.ReadBuildInfo()
	return buildInfo(version, commit, date, info, ok)
})

// buildInfo prefers what the linker was told (-X) and fills the rest from the toolchain's stamp.
func buildInfo(version, commit, date string, info *debug.BuildInfo, ok bool) BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	if !ok {
		if b.Version == "" {
			b.Version = "devel"
		}
		return b
	}
	if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	var rev, at string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if b.Commit == "" && rev != "" {
		b.Commit = rev
		if dirty {
			b.Commit += "+dirty"
		}
	}
	if b.Date == "" {
		b.Date = at
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	return b
}

// Build is this binary's build information.
func Build() BuildInfo { return buildOnce() }

// String is the one line `kolregistry --version` prints.
func (b BuildInfo) String() string {
	s := "kolregistry " + b.Version
	if b.Commit != "" {
		s += " commit " + b.Commit
	}
	if b.Date != "" {
		s += " built " + b.Date
	}
	return s + " " + b.GoVersion
}

// versionHandler is GET /version: the build as JSON, for operators and deploy checks.
func versionHandler(w http.ResponseWriter, r *http.Request) {
	writeProbe(w, http.StatusOK, Build())
}
