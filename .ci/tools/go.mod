// Module tools pins the tools CI and developers run: the code generator used
// by `go generate ./...` (genqlient), staticcheck, and benchstat.
//
// It is a module of its own so that genqlient's generator and its
// dependencies (golang.org/x/tools among them) never enter the module graph
// of a program that merely imports github.com/tribekit/tribekit/tribe.
// genqlient v0.8.1 pins golang.org/x/tools v0.24.0, which does not build
// on Go 1.25 and later; the newer x/tools required here replaces it.
module tribekit-tools

go 1.26.0

tool (
	github.com/Khan/genqlient
	golang.org/x/perf/cmd/benchstat
	honnef.co/go/tools/cmd/staticcheck
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/Khan/genqlient v0.8.1 // indirect
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/agnivade/levenshtein v1.1.1 // indirect
	github.com/alexflint/go-arg v1.5.1 // indirect
	github.com/alexflint/go-scalar v1.2.0 // indirect
	github.com/bmatcuk/doublestar/v4 v4.6.1 // indirect
	github.com/vektah/gqlparser/v2 v2.5.19 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)
