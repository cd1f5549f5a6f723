package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

// The explorer (docs/pages.md): GraphiQL's built files from npm, pinned by
// scripts/fetch-explorer.sh and embedded, so it loads nothing from another origin and works
// offline.

//go:embed explorer/*
var explorerFiles embed.FS

// ExplorerQuery is the example the explorer opens with.
const ExplorerQuery = `# KOL Registry: a public GraphQL API. Press ▶ (Ctrl-Enter) to run.
# Sanctions in force, newest decision first, with their permalinks.
{
  sanctions(first: 5, filter: { active: true }) {
    totalCount
    nodes {
      decisionNumber
      decidedOn
      fineVnd
      status
      url
      agency { name nameEn }
      subject { ... on Influencer { displayName url } ... on Mcn { name url } ... on Brand { name url } }
    }
  }
  enumLabels(enum: "SanctionStatus", lang: EN) { value label }
}
`

var explorerPage = template.Must(template.New("explorer").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL explorer · KOL Registry</title>
<link rel="stylesheet" href="/graphql/explorer/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<main id="graphiql" aria-label="GraphiQL">Loading the explorer… (it needs JavaScript; the schema is at <a href="/schema.graphql">/schema.graphql</a>)</main>
<script src="/graphql/explorer/react.production.min.js"></script>
<script src="/graphql/explorer/react-dom.production.min.js"></script>
<script src="/graphql/explorer/graphiql.min.js"></script>
<script src="/graphql/explorer/start.js"></script>
</body>
</html>
`))

// explorerStart starts GraphiQL; %s is the default query as a JSON string.
const explorerStart = `(function () {
  var query = %s;
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: query, defaultEditorToolsVisibility: false }));
})();
`

// WantsExplorer reports whether a request to /graphql is a browser opening it: a GET without a
// query whose Accept prefers HTML.
func WantsExplorer(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Query().Has("query") {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// Explorer serves the explorer page at /graphql and its files under /graphql/explorer/.
func Explorer() http.Handler {
	sub, _ := fs.Sub(explorerFiles, "explorer")
	files := http.StripPrefix("/graphql/explorer/", http.FileServer(http.FS(sub)))
	var page strings.Builder
	explorerPage.Execute(&page, nil)
	q, _ := json.Marshal(ExplorerQuery)
	start := []byte(fmt.Sprintf(explorerStart, q))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		// GraphiQL's bundle evaluates code it builds (its editor's workers), so 'unsafe-eval';
		// everything else only from this origin.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'")
		switch r.URL.Path {
		case "/graphql", "/graphql/":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			h.Add("Vary", "Accept")
			w.Write([]byte(page.String()))
		case "/graphql/explorer/start.js":
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			w.Write(start)
		default:
			h.Set("Cache-Control", "public, max-age=86400")
			files.ServeHTTP(w, r)
		}
	})
}
