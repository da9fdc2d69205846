package tribekit_test

import (
	"go/ast"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every doc link in the module resolves: a [Name], [Type.Method] or
// [pkg.Name] in a doc comment must name something, as go doc and pkgsite
// render it (https://go.dev/doc/comment#doclinks). An unresolved link is left
// as plain text by the parser, so the check looks for link-shaped text that
// did not become a link, and for links into this module's packages whose
// symbol does not exist.

const modulePath = "github.com/tribekit/tribekit"

// linkShaped is the text of a doc link that did not resolve: [Name],
// [*Name], [pkg.Name], [Name.Method]. As in Go's own rules, only a
// capitalized last name makes a link; an all-capitals word such as a
// [MARKER] is taken for text.
var linkShaped = regexp.MustCompile(`\[\*?([A-Za-z0-9_.\-]+/)*([A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*\]`)

// allCaps matches a bracketed word in capitals only, which is text.
var allCaps = regexp.MustCompile(`^\[[A-Z][A-Z0-9_]+\]$`)

// modulePkg is one package of the module, parsed without its tests.
type modulePkg struct {
	dir   string
	fset  *token.FileSet
	files []*ast.File
	doc   *doc.Package
}

// position names the file and line of pos.
func position(p *modulePkg, pos token.Pos) string {
	at := p.fset.Position(pos)
	return at.Filename + ":" + strconv.Itoa(at.Line)
}

func TestDocLinksResolve(t *testing.T) {
	pkgs := loadModulePackages(t)
	var bad []string
	for importPath, p := range pkgs {
		check := func(pos token.Pos, text string) {
			if text == "" {
				return
			}
			for _, problem := range brokenLinks(p.doc, pkgs, text) {
				bad = append(bad, p.doc.Name+" ("+importPath+"): "+position(p, pos)+": "+problem)
			}
		}
		forEachDocComment(p, check)
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d doc links name nothing; fix the name or drop the brackets:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// loadModulePackages parses every package of the module, keyed by import
// path.
func loadModulePackages(t *testing.T) map[string]*modulePkg {
	t.Helper()
	fset := token.NewFileSet()
	pkgs := map[string]*modulePkg{}
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if dir != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		var files []*ast.File
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
			if err != nil {
				return err
			}
			if f.Name.Name == "main" && hasIgnoreTag(f) {
				continue
			}
			files = append(files, f)
		}
		if len(files) == 0 {
			return nil
		}
		importPath := modulePath
		if dir != "." {
			importPath = path.Join(modulePath, filepath.ToSlash(dir))
		}
		dp, err := doc.NewFromFiles(fset, files, importPath, doc.PreserveAST|doc.AllDecls)
		if err != nil {
			return err
		}
		pkgs[importPath] = &modulePkg{dir: dir, files: files, doc: dp}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the module: %v", err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages; is the test running from the module root?", len(pkgs))
	}
	for _, p := range pkgs {
		p.fset = fset
	}
	return pkgs
}

// hasIgnoreTag reports whether f is built only with the ignore tag (a
// generator, not part of any package).
func hasIgnoreTag(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ignore") {
				return true
			}
		}
	}
	return false
}

// forEachDocComment calls fn with every doc comment of p: the package's,
// every declaration's, and every struct field's and interface method's.
func forEachDocComment(p *modulePkg, fn func(pos token.Pos, text string)) {
	for _, f := range p.files {
		if f.Doc != nil {
			fn(f.Doc.Pos(), f.Doc.Text())
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Doc != nil {
					fn(d.Doc.Pos(), d.Doc.Text())
				}
			case *ast.GenDecl:
				if d.Doc != nil {
					fn(d.Doc.Pos(), d.Doc.Text())
				}
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Doc != nil {
							fn(s.Doc.Pos(), s.Doc.Text())
						}
						forEachFieldDoc(s.Type, fn)
					case *ast.ValueSpec:
						if s.Doc != nil {
							fn(s.Doc.Pos(), s.Doc.Text())
						}
					}
				}
			}
		}
	}
}

func forEachFieldDoc(typ ast.Expr, fn func(pos token.Pos, text string)) {
	var fields *ast.FieldList
	switch t := typ.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return
	}
	for _, field := range fields.List {
		for _, cg := range []*ast.CommentGroup{field.Doc, field.Comment} {
			if cg != nil {
				fn(cg.Pos(), cg.Text())
			}
		}
	}
}

// brokenLinks parses text as p's doc comment and returns what is wrong with
// its links.
func brokenLinks(p *doc.Package, pkgs map[string]*modulePkg, text string) []string {
	var problems []string
	d := p.Parser().Parse(text)
	var walk func(ts []comment.Text)
	walk = func(ts []comment.Text) {
		for _, t := range ts {
			switch t := t.(type) {
			case comment.Plain:
				problems = append(problems, unresolved(string(t))...)
			case *comment.Link:
				walk(t.Text)
			case *comment.DocLink:
				if !strings.HasPrefix(t.ImportPath, modulePath) {
					continue
				}
				target, ok := pkgs[t.ImportPath]
				if !ok {
					problems = append(problems, "["+linkText(t)+"] names package "+t.ImportPath+", which does not exist")
					continue
				}
				if t.Name != "" && !hasSymbol(target.doc, t.Recv, t.Name) {
					problems = append(problems, "["+linkText(t)+"] names nothing in "+t.ImportPath)
				}
			case comment.Italic:
				problems = append(problems, unresolved(string(t))...)
			}
		}
	}
	for _, b := range d.Content {
		switch b := b.(type) {
		case *comment.Paragraph:
			walk(b.Text)
		case *comment.Heading:
			walk(b.Text)
		case *comment.List:
			for _, item := range b.Items {
				for _, ib := range item.Content {
					if para, ok := ib.(*comment.Paragraph); ok {
						walk(para.Text)
					}
				}
			}
		}
	}
	return problems
}

// unresolved lists the link-shaped text left in plain text: a link whose
// name is not declared, or one glued to a letter ("[Name]s"), which Go does
// not take for a link.
func unresolved(text string) []string {
	var problems []string
	for _, m := range linkShaped.FindAllString(text, -1) {
		if !allCaps.MatchString(m) {
			problems = append(problems, m+" does not resolve (a link must name a declared symbol and stand between spaces or punctuation)")
		}
	}
	return problems
}

func linkText(l *comment.DocLink) string {
	s := l.ImportPath
	if l.Recv != "" {
		s += "." + l.Recv
	}
	if l.Name != "" {
		s += "." + l.Name
	}
	return s
}

// hasSymbol reports whether p declares name (a method of recv, when recv is
// set) among its exported or unexported top-level names.
func hasSymbol(p *doc.Package, recv, name string) bool {
	for _, typ := range p.Types {
		if recv == "" {
			if typ.Name == name {
				return true
			}
			if valuesHave(typ.Consts, name) || valuesHave(typ.Vars, name) || funcsHave(typ.Funcs, name) {
				return true
			}
			continue
		}
		if typ.Name != recv {
			continue
		}
		if funcsHave(typ.Methods, name) || fieldOrMethodOf(typ, name) {
			return true
		}
	}
	if recv != "" {
		return false
	}
	return valuesHave(p.Consts, name) || valuesHave(p.Vars, name) || funcsHave(p.Funcs, name)
}

func valuesHave(vs []*doc.Value, name string) bool {
	for _, v := range vs {
		for _, n := range v.Names {
			if n == name {
				return true
			}
		}
	}
	return false
}

func funcsHave(fs []*doc.Func, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// fieldOrMethodOf reports whether typ's declaration has a field or an
// interface method called name.
func fieldOrMethodOf(typ *doc.Type, name string) bool {
	for _, spec := range typ.Decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok || ts.Name.Name != typ.Name {
			continue
		}
		var fields *ast.FieldList
		switch t := ts.Type.(type) {
		case *ast.StructType:
			fields = t.Fields
		case *ast.InterfaceType:
			fields = t.Methods
		}
		if fields == nil {
			continue
		}
		for _, f := range fields.List {
			for _, n := range f.Names {
				if n.Name == name {
					return true
				}
			}
			if len(f.Names) == 0 && embeddedName(f.Type) == name {
				return true
			}
		}
	}
	return false
}

func embeddedName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}

func TestDocLinkCheckFindsBrokenLinks(t *testing.T) {
	const src = `// Package p has links.
package p

import "fmt"

// T is a type; see [T.M], [fmt.Stringer] and [U] (which names nothing),
// and [T]s, glued to a letter. A [MARKER] is text.
type T struct{}

// M is a method.
func (T) M() {}

var _ = fmt.Sprint
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	dp, err := doc.NewFromFiles(fset, []*ast.File{f}, modulePath+"/p", doc.PreserveAST|doc.AllDecls)
	if err != nil {
		t.Fatal(err)
	}
	p := &modulePkg{fset: fset, files: []*ast.File{f}, doc: dp}
	var got []string
	forEachDocComment(p, func(_ token.Pos, text string) {
		got = append(got, brokenLinks(dp, map[string]*modulePkg{modulePath + "/p": p}, text)...)
	})
	if len(got) != 2 || !strings.HasPrefix(got[0], "[U] ") || !strings.HasPrefix(got[1], "[T] ") {
		t.Errorf("broken links = %q, want [U] and the glued [T]", got)
	}
	missing := brokenLinks(dp, map[string]*modulePkg{modulePath + "/p": p}, "See ["+modulePath+"/p.Nope] and ["+modulePath+"/nopkg.X].")
	if len(missing) != 2 {
		t.Errorf("links into the module to a missing symbol and package: got %q, want two problems", missing)
	}
}
