package interop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sessctl/sessctl/internal/testenv"
)

// No Kubernetes cluster runs here: examples/k8s-bench-job.yaml is checked
// by reading it strictly into the part of the Kubernetes API it uses (a
// field outside that part, or misspelt, fails), checking that its parts
// agree (indexes, segments, files, volumes), and running each container's
// command line as the kubelet would expand it, with the volume a folder
// and the target a serve-demo. What is not tested: the Job controller, the
// scheduler, the volume, the images.

// k8sObject is the part of the Kubernetes objects the example uses.
type k8sObject struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   k8sMeta      `yaml:"metadata"`
	Spec       k8sSpecUnion `yaml:"spec"`
}

type k8sMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

// k8sSpecUnion holds a PersistentVolumeClaimSpec's or a JobSpec's fields.
type k8sSpecUnion struct {
	// PersistentVolumeClaimSpec
	AccessModes []string `yaml:"accessModes"`
	Resources   struct {
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
	// JobSpec
	CompletionMode          string `yaml:"completionMode"`
	Completions             *int   `yaml:"completions"`
	Parallelism             *int   `yaml:"parallelism"`
	BackoffLimit            *int   `yaml:"backoffLimit"`
	BackoffLimitPerIndex    *int   `yaml:"backoffLimitPerIndex"`
	MaxFailedIndexes        *int   `yaml:"maxFailedIndexes"`
	ActiveDeadlineSeconds   *int   `yaml:"activeDeadlineSeconds"`
	TTLSecondsAfterFinished *int   `yaml:"ttlSecondsAfterFinished"`
	Template                struct {
		Metadata k8sMeta `yaml:"metadata"`
		Spec     struct {
			RestartPolicy  string         `yaml:"restartPolicy"`
			InitContainers []k8sContainer `yaml:"initContainers"`
			Containers     []k8sContainer `yaml:"containers"`
			Volumes        []struct {
				Name                  string `yaml:"name"`
				PersistentVolumeClaim struct {
					ClaimName string `yaml:"claimName"`
				} `yaml:"persistentVolumeClaim"`
			} `yaml:"volumes"`
		} `yaml:"spec"`
	} `yaml:"template"`
}

type k8sContainer struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Env   []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			FieldRef struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Command   []string `yaml:"command"`
	Args      []string `yaml:"args"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

// completionIndexPath is where the Job controller puts a pod's index.
const completionIndexPath = "metadata.annotations['batch.kubernetes.io/job-completion-index']"

// readK8sExample reads the example as `envsubst '${RUN} ${START_AT}'`
// hands it to kubectl, strictly.
func readK8sExample(t *testing.T, run, startAt string) []k8sObject {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "examples", "k8s-bench-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("${RUN}", run, "${START_AT}", startAt).Replace(string(raw))
	if i := strings.Index(text, "${"); i >= 0 {
		t.Fatalf("a ${...} left for envsubst besides RUN and START_AT: %q", text[i:min(len(text), i+30)])
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var objs []k8sObject
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("examples/k8s-bench-job.yaml, object %d: %v", len(objs)+1, err)
		}
		objs = append(objs, o)
	}
	return objs
}

// expandK8s expands $(VAR) in s from env as the kubelet expands a
// container's command and args; a reference to an undefined variable stays.
func expandK8s(s string, env map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := env[ref[2:len(ref)-1]]; ok {
			return v
		}
		return ref
	})
}

// containerEnv is c's environment as the kubelet gives it, with index as
// the completion index and target as TARGET.
func containerEnv(t *testing.T, c k8sContainer, index int, target string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef.FieldPath == completionIndexPath:
			env[e.Name] = strconv.Itoa(index)
		case e.ValueFrom != nil:
			t.Fatalf("container %s: env %s from %s, which this test cannot give", c.Name, e.Name, e.ValueFrom.FieldRef.FieldPath)
		default:
			env[e.Name] = e.Value
		}
	}
	if _, ok := env["TARGET"]; ok {
		env["TARGET"] = target
	}
	return env
}

// TestK8sBenchJob: the Kubernetes example's objects are what the README
// says, its parts agree, and its command lines, run in order against a
// serve-demo with a folder for the volume and a tiny -n, make one
// session, three agents' result files and their merged report.
func TestK8sBenchJob(t *testing.T) {
	startAt := time.Now().UTC().Add(2 * time.Second).Format(time.RFC3339)
	objs := readK8sExample(t, "run-test", startAt)
	byName := map[string]k8sObject{}
	var pvc string
	for _, o := range objs {
		byName[o.Metadata.Name] = o
		switch {
		case o.APIVersion == "v1" && o.Kind == "PersistentVolumeClaim":
			pvc = o.Metadata.Name
		case o.APIVersion != "batch/v1" || o.Kind != "Job":
			t.Errorf("%s: unexpected %s %s", o.Metadata.Name, o.APIVersion, o.Kind)
		}
	}
	session, agents, merge := byName["sessctl-session-run-test"], byName["sessctl-agents-run-test"], byName["sessctl-merge-run-test"]
	if len(objs) != 4 || pvc == "" || session.Kind != "Job" || agents.Kind != "Job" || merge.Kind != "Job" {
		t.Fatalf("want a PVC and the session, agents and merge Jobs named by RUN; got %d objects: %v", len(objs), byName)
	}

	// The agents: an Indexed Job of N pods at once, none run twice.
	as := agents.Spec
	if as.CompletionMode != "Indexed" || as.Completions == nil || as.Parallelism == nil || *as.Completions != *as.Parallelism ||
		as.BackoffLimitPerIndex == nil || *as.BackoffLimitPerIndex != 0 || as.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("agents Job: want Indexed, completions = parallelism, backoffLimitPerIndex 0, restartPolicy Never: %+v", as)
	}
	n := *as.Completions
	for _, job := range []k8sObject{session, agents, merge} {
		ps := job.Spec.Template.Spec
		if ps.RestartPolicy != "Never" || len(ps.Containers) != 1 || len(ps.Volumes) != 1 || ps.Volumes[0].PersistentVolumeClaim.ClaimName != pvc {
			t.Errorf("%s: want restartPolicy Never, one container and the PVC %s as its volume: %+v", job.Metadata.Name, pvc, ps)
		}
		for _, c := range append(append([]k8sContainer{}, ps.InitContainers...), ps.Containers...) {
			if c.Image == "" || len(c.Command) == 0 || len(c.VolumeMounts) != 1 || c.VolumeMounts[0].Name != ps.Volumes[0].Name ||
				c.VolumeMounts[0].MountPath != "/results" {
				t.Errorf("%s, container %s: want an image, a command and the volume on /results: %+v", job.Metadata.Name, c.Name, c)
			}
		}
	}
	agent := as.Template.Spec.Containers[0]
	hasIndex := false
	for _, e := range agent.Env {
		hasIndex = hasIndex || e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && e.ValueFrom.FieldRef.FieldPath == completionIndexPath
	}
	if !hasIndex {
		t.Errorf("agent: JOB_COMPLETION_INDEX does not come from %s", completionIndexPath)
	}

	// The command lines, run as the kubelet would run them, the volume a
	// folder here.
	bin := sessctl(t)
	target := serveDemo(t, bin)
	vol := t.TempDir()
	local := func(s string) string { return strings.ReplaceAll(s, "/results", vol) }
	argv := func(c k8sContainer, index int) []string {
		env := containerEnv(t, c, index, target)
		var out []string
		for _, a := range append(append([]string{}, c.Command...), c.Args...) {
			a = local(expandK8s(a, env))
			if strings.Contains(a, "$(") {
				t.Fatalf("container %s: %q refers to a variable it does not define", c.Name, a)
			}
			out = append(out, a)
		}
		if out[0] == "sessctl" {
			out[0] = bin
		}
		return out
	}
	// A tiny run of the same shape: -n 300 instead of the example's.
	tiny := func(args []string) []string {
		for i := range args[:len(args)-1] {
			if args[i] == "-n" {
				args[i+1] = "300"
			}
		}
		return args
	}
	run := func(what string, args []string, env map[string]string) (int, string) {
		c := exec.Command(args[0], args[1:]...)
		for k, v := range env {
			c.Env = append(c.Env, k+"="+v)
		}
		if env == nil {
			c.Env = os.Environ()
		} else {
			c.Env = append(c.Env, "PATH="+os.Getenv("PATH"))
		}
		code, out, stderr := exitCode(t, c)
		t.Logf("%s: %q: exit %d\n%s%s", what, args, code, out, stderr)
		return code, string(out)
	}
	// waitFor runs an init container's sh command, which must find its
	// files there already and end.
	waitFor := func(job k8sObject) {
		for _, c := range job.Spec.Template.Spec.InitContainers {
			if c.Command[0] != "sh" || c.Command[1] != "-c" || len(c.Command) != 3 {
				t.Fatalf("%s: init container %s: want sh -c SCRIPT, not %q", job.Metadata.Name, c.Name, c.Command)
			}
			env := containerEnv(t, c, 0, target)
			if code, _ := run(job.Metadata.Name+" "+c.Name, []string{testenv.Command(t, "sh"), "-c", local(c.Command[2])}, env); code != 0 {
				t.Fatalf("%s: init container %s failed", job.Metadata.Name, c.Name)
			}
		}
	}

	sess := session.Spec.Template.Spec.Containers[0]
	if code, _ := run("session", argv(sess, 0), nil); code != 0 {
		t.Fatalf("the session Job's command failed")
	}
	waitFor(agents)
	var wg sync.WaitGroup
	codes := make([]int, n)
	var results []string
	for i := range n {
		args := tiny(argv(agent, i))
		if !strings.Contains(strings.Join(args, " "), fmt.Sprintf("--segment %d/%d ", i, n)) {
			t.Errorf("agent %d: want --segment %d/%d in %q", i, i, n, args)
		}
		for j, a := range args {
			if a == "--result" && j+1 < len(args) {
				results = append(results, args[j+1])
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = run(fmt.Sprintf("agent %d", i), args, nil)
		}()
	}
	wg.Wait()
	for i, code := range codes {
		if code != 0 {
			t.Errorf("agent %d: exit %d, want 0 (a CONSISTENT share)", i, code)
		}
	}
	waitFor(merge)
	margs := argv(merge.Spec.Template.Spec.Containers[0], 0)
	if got := margs[len(margs)-n:]; strings.Join(got, " ") != strings.Join(results, " ") {
		t.Errorf("merge reads %q, the agents write %q", got, results)
	}
	code, out := run("merge", margs, nil)
	if code != 0 || !strings.Contains(out, "CONSISTENT") || !regexp.MustCompile(`requests +300 `).MatchString(out) {
		t.Fatalf("merge: exit %d, want 0 and the 300 requests CONSISTENT:\n%s", code, out)
	}
	if !bytes.Contains([]byte(out), []byte("one shared session")) {
		t.Errorf("merge: not a shared-mode report:\n%s", out)
	}
}
