package tribe

// The generator is pinned in its own module (.ci/tools), so that its
// dependencies stay out of the graph of programs that import this package.
//go:generate go -C ../.ci/tools tool genqlient ../../genqlient.yaml
