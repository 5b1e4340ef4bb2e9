// compose-check loads a Docker Compose file with compose-go, the loader `docker compose`
// itself is built on, and prints the resolved project as JSON: includes and merges applied,
// ${VARIABLES} interpolated, the Compose schema and the cross references (depends_on,
// network_mode: service:x) checked. It is how the tests validate the compose files on a
// machine without a Docker engine.
//
//	compose-check [--profile NAME]... docker-compose-envoy.yml > project.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type profiles []string

func (p *profiles) String() string     { return strings.Join(*p, ",") }
func (p *profiles) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var active profiles
	flag.Var(&active, "profile", "activate a profile (repeatable), like docker compose --profile")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--profile NAME]... FILE")
		os.Exit(2)
	}
	file, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail(err)
	}

	// The same steps as `docker compose -f FILE config`: the file's folder is the working
	// directory, its .env is read, the OS environment wins over it. WithDotEnv reads only
	// the files WithEnvFiles found (with no argument: the working directory's .env, unless
	// COMPOSE_DISABLE_ENV_FILE says not to), as docker compose calls them.
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithProfiles(active),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
