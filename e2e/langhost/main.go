// A minimal Node.js language host for the e2e harness (tierplan's own code, built by e2e/tools.sh as
// `pulumi-language-nodejs` when none is on PATH).
//
// Why it exists: Pulumi's own host is the Go module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the Go module proxy does not
// serve at any version, and the last releases that carried it inside sdk/v3 (v3.61-v3.68) cannot run
// policy packs for today's CLI (their RunPlugin answers "not supported"). This host speaks the
// LanguageRuntime protocol of the CLI it is built with and does what Pulumi's host does for a run:
// it starts Node.js on @pulumi/pulumi's own run scripts (cmd/run for a program, cmd/run-policy-pack
// for a policy pack), resolved from the program's node_modules, with the project's runtime options
// (typescript, nodeargs, tsconfig) from the request. It has no dependency installer, templates or
// code generation; `pulumi preview/up/destroy` and `--policy-pack` need none of them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Version is stamped by e2e/tools.sh.
var Version = "0.0.0-dev"

// The exit code @pulumi/pulumi's run scripts use after printing an error meant for the user.
const exitAfterUserMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine string
}

func main() {
	args := []string{}
	for _, a := range os.Args[1:] {
		switch {
		case a == "-version" || a == "--version":
			fmt.Println(Version)
			return
		case strings.HasPrefix(a, "-"):
			// flags of older CLIs (-tracing, -root ...): nothing to do with them here
		default:
			args = append(args, a)
		}
	}
	h := &host{}
	if len(args) > 0 {
		h.engine = args[0]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engine = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

// The engine loads each provider when the program first asks for it; with automatic plugin
// acquisition off, it finds them on PATH. So there is nothing to install ahead of a run.
func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimPrefix(strings.TrimSpace(string(out)), "v")}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// runtimeOptions: the project's `runtime.options`, with the Node.js host's defaults.
type runtimeOptions struct {
	typescript bool
	nodeargs   []string
	tsconfig   string
}

func optionsOf(s *structpb.Struct) runtimeOptions {
	o := runtimeOptions{typescript: true}
	if s == nil {
		return o
	}
	m := s.AsMap()
	if v, ok := m["typescript"]; ok {
		switch t := v.(type) {
		case bool:
			o.typescript = t
		case string:
			o.typescript, _ = strconv.ParseBool(t)
		}
	}
	if v, ok := m["nodeargs"].(string); ok && strings.TrimSpace(v) != "" {
		o.nodeargs = strings.Fields(v)
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	return o
}

// resolveScript finds @pulumi/pulumi/<script> from dir the way Node.js would.
func resolveScript(ctx context.Context, node, dir, script string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "process.stdout.write(require.resolve(process.argv[1]))", "@pulumi/pulumi/"+script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find @pulumi/pulumi/%s from %s: have you run npm install? (%v)", script, dir, err)
	}
	return string(out), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the PATH"}, nil
	}
	info := req.GetInfo()
	programDir := req.GetPwd()
	if info != nil && info.GetProgramDirectory() != "" {
		programDir = info.GetProgramDirectory()
	}
	opts := optionsOf(info.GetOptions())
	runPath, err := resolveScript(ctx, node, programDir, "cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath, "--monitor", req.GetMonitorAddress())
	if h.engine != "" {
		args = append(args, "--engine", h.engine)
	}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	if info != nil {
		flag("root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(keys))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == exitAfterUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin runs a plugin written in Node.js: for the CLI, a policy pack (an analyzer) or a provider.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("could not find node on the PATH")
	}
	info := req.GetInfo()
	dir := req.GetPwd()
	if info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	opts := optionsOf(info.GetOptions())
	script := "cmd/run-plugin"
	if req.GetKind() == "analyzer" {
		script = "cmd/run-policy-pack"
	}
	runPath, err := resolveScript(ctx, node, dir, script)
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	send := make(chan *pulumirpc.RunPluginResponse)
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				send <- wrap(append([]byte(nil), buf[:n]...))
			}
			if err != nil {
				send <- nil
				return
			}
		}
	}
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	var sendErr error
	for open := 2; open > 0; {
		msg := <-send
		if msg == nil {
			open--
			continue
		}
		if sendErr == nil {
			sendErr = server.Send(msg)
		}
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = exit.ExitCode()
	}
	if sendErr != nil {
		return sendErr
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}


