package registry

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// verbs maps each parameter index of text to its verb (d, s, q…).
func verbs(text string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range verbRe.FindAllStringSubmatch(text, -1) {
		if m[0] == "%%" {
			continue
		}
		i := next
		if m[1] != "" {
			i, _ = strconv.Atoi(m[1])
		}
		next = i + 1
		out[i] = m[0][len(m[0])-1:]
	}
	return out
}

// Every code has both texts, with the same parameters (index and verb) in each language.
func TestMessages_BothLanguagesSameParameters(t *testing.T) {
	if len(MessageCodes()) < 60 {
		t.Fatalf("only %d message codes", len(MessageCodes()))
	}
	for _, code := range MessageCodes() {
		m, _ := MessageTextOf(code)
		if strings.TrimSpace(m.VI) == "" || strings.TrimSpace(m.EN) == "" {
			t.Errorf("%s: VI %q, EN %q", code, m.VI, m.EN)
			continue
		}
		if m.VI == m.EN {
			t.Errorf("%s: the Vietnamese text is the English one: %q", code, m.EN)
		}
		if vi, en := verbs(m.VI), verbs(m.EN); !maps.Equal(vi, en) {
			t.Errorf("%s: parameters VI %v, EN %v", code, vi, en)
		}
		if n := MessageParams(m.EN); n != len(verbs(m.EN)) {
			t.Errorf("%s: parameters are not numbered 1..%d: %v", code, n, verbs(m.EN))
		}
	}
	for term, l := range terms {
		if l.VI == "" || l.EN == "" {
			t.Errorf("term %q: VI %q, EN %q", term, l.VI, l.EN)
		}
	}
}

func TestMessage_In(t *testing.T) {
	m := Msg("VERSION_CONFLICT", Term("the sanction"), 3)
	if got := m.In(EN); got != "the sanction is at version 3; reload it and retry" {
		t.Errorf("EN: %q", got)
	}
	if got := m.In(VI); got != "quyết định xử phạt đang ở phiên bản 3; hãy tải lại rồi thử lại" {
		t.Errorf("VI: %q", got)
	}
	if got := Msg("BEFORE_LAST_CHANGE", Day("2025-03-09")).In(VI); !strings.Contains(got, "09/03/2025") {
		t.Errorf("a day in Vietnamese: %q", got)
	}
	if got := Msg("PROVINCE_MERGED", "VN-57", "Bình Dương", "VN-SG", "Hồ Chí Minh").In(EN); got !=
		"VN-57 (Bình Dương) was merged into VN-SG (Hồ Chí Minh) on 1 July 2025; use VN-SG" {
		t.Errorf("indexed parameters: %q", got)
	}
	if got := (Message{}).String(); got != "" {
		t.Errorf("the zero Message says %q", got)
	}
}

// Every message raised in db/, registry/, resolvers/ and webhook/ is a registry.Msg call whose
// code is a literal of the catalogue, with as many arguments as its text has parameters; and
// every code of the catalogue is raised somewhere. A user error cannot carry free text: its
// Message is a registry.Message, so this walk covers every user error the API returns.
func TestMessages_EveryCallUsesTheCatalogue(t *testing.T) {
	used := map[string]bool{}
	for _, dir := range []string{".", "../db", "../resolvers", "../webhook"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !isMsgCall(call.Fun, dir == ".") {
					return true
				}
				at := fset.Position(call.Pos())
				if len(call.Args) == 0 {
					t.Errorf("%s: Msg without a code", at)
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: the code of a message is a string literal of the catalogue", at)
					return true
				}
				code, _ := strconv.Unquote(lit.Value)
				text, known := MessageTextOf(code)
				if !known {
					t.Errorf("%s: code %q is not in the catalogue (registry/messages.go)", at, code)
					return true
				}
				used[code] = true
				if call.Ellipsis == token.NoPos && len(call.Args)-1 != MessageParams(text.EN) {
					t.Errorf("%s: %s takes %d arguments, given %d", at, code, MessageParams(text.EN), len(call.Args)-1)
				}
				return true
			})
		}
	}
	for _, code := range MessageCodes() {
		if !used[code] {
			t.Errorf("code %s is in the catalogue but never raised", code)
		}
	}
}

// isMsgCall reports whether fun is registry.Msg (or Msg inside this package).
func isMsgCall(fun ast.Expr, inRegistry bool) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "registry" && f.Sel.Name == "Msg"
	case *ast.Ident:
		return inRegistry && f.Name == "Msg"
	}
	return false
}
