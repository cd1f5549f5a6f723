package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	sigsyaml "sigs.k8s.io/yaml"
)

// The defaults the manifests must agree with (cmd/kolregistry/serve.go, defaultShutdown*).
const (
	shutdownDelay = 5 * time.Second  // SHUTDOWN_DELAY default: how long endpoints take to drop a pod
	shutdownGrace = 60 * time.Second // SHUTDOWN_GRACE default: how long in-flight requests may finish
	apiPort       = 8080
)

// manifests decodes every document of deploy/kubernetes/*.yaml into the Kubernetes API type its
// kind names, strictly: a misspelt or misplaced field fails (as the API server would refuse it).
func manifests(t *testing.T) map[string]any {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := map[string]any{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(raw, []byte("\n---\n")) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := sigsyaml.Unmarshal(doc, &head); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			var obj any
			switch head.APIVersion + " " + head.Kind {
			case "apps/v1 Deployment":
				obj = &appsv1.Deployment{}
			case "v1 Service":
				obj = &corev1.Service{}
			case "policy/v1 PodDisruptionBudget":
				obj = &policyv1.PodDisruptionBudget{}
			case "autoscaling/v2 HorizontalPodAutoscaler":
				obj = &autoscalingv2.HorizontalPodAutoscaler{}
			case "batch/v1 Job":
				obj = &batchv1.Job{}
			default:
				t.Fatalf("%s document %d: unexpected %s %s", f, i, head.APIVersion, head.Kind)
			}
			if err := sigsyaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", f, i, head.Kind, err)
			}
			out[head.Kind] = obj
		}
	}
	return out
}

func TestKubernetesManifests(t *testing.T) {
	m := manifests(t)
	dep, _ := m["Deployment"].(*appsv1.Deployment)
	svc, _ := m["Service"].(*corev1.Service)
	pdb, _ := m["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget)
	hpa, _ := m["HorizontalPodAutoscaler"].(*autoscalingv2.HorizontalPodAutoscaler)
	job, _ := m["Job"].(*batchv1.Job)
	if dep == nil || svc == nil || pdb == nil || hpa == nil || job == nil {
		t.Fatalf("want a Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler and Job; have %v", keys(m))
	}
	for _, name := range []string{dep.Name, svc.Name, pdb.Name, hpa.Name, job.Name} {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Errorf("name %q: %v", name, errs)
		}
	}

	pod := dep.Spec.Template
	sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(pod.Labels)) {
		t.Fatalf("the Deployment's selector %v does not match its pods' labels %v (%v)", dep.Spec.Selector, pod.Labels, err)
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container, have %d", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("api container args %q, want [serve]", c.Args)
	}
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != apiPort || c.Ports[0].Name != "http" {
		t.Errorf("api ports %v: want http on %d", c.Ports, apiPort)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if env["LISTEN_ADDR"].Value != "0.0.0.0:8080" {
		t.Errorf("LISTEN_ADDR %q: the pod must listen beyond loopback on the container port", env["LISTEN_ADDR"].Value)
	}
	for _, name := range []string{"DATABASE_URL", "REDIS_URL"} {
		if e, ok := env[name]; !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("%s must come from a Secret, have %+v", name, e)
		}
	}

	// Probes: readiness on /readyz (Postgres), liveness on /healthz (process only), both by port name.
	for name, p := range map[string]*corev1.Probe{"/readyz": c.ReadinessProbe, "/healthz": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != name || p.HTTPGet.Port.String() != "http" {
			t.Errorf("probe %s: %+v", name, p)
		}
	}

	// Shutdown: the preStop waits the documented delay, the server then drains at once, and the
	// grace period covers both with a margin, so the kubelet never SIGKILLs a draining replica.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatalf("no preStop sleep: %+v", c.Lifecycle)
	}
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if preStop != shutdownDelay {
		t.Errorf("preStop sleeps %s, want the shutdown delay %s", preStop, shutdownDelay)
	}
	if d, err := time.ParseDuration(env["SHUTDOWN_DELAY"].Value); err != nil || d != 0 {
		t.Errorf("SHUTDOWN_DELAY %q: the preStop already waited, the server must not wait again", env["SHUTDOWN_DELAY"].Value)
	}
	grace := shutdownGrace
	if v := env["SHUTDOWN_GRACE"].Value; v != "" {
		if grace, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	if tgp := pod.Spec.TerminationGracePeriodSeconds; tgp == nil || time.Duration(*tgp)*time.Second < preStop+grace+time.Second {
		t.Errorf("terminationGracePeriodSeconds %v < preStop %s + SHUTDOWN_GRACE %s", tgp, preStop, grace)
	}

	// Non-root, as the image is built (USER 65532 in the Dockerfile).
	for _, spec := range []corev1.PodSpec{pod.Spec, job.Spec.Template.Spec} {
		sc := spec.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
			t.Errorf("pod security context %+v: want runAsNonRoot, runAsUser 65532", sc)
		}
		for _, c := range spec.Containers {
			if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
				t.Errorf("container %s: want a read-only root filesystem", c.Name)
			}
		}
	}

	// The Service, the PDB and the HPA reach the same pods.
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
		t.Errorf("the Service's selector %v misses the pods %v", svc.Spec.Selector, pod.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("the Service must target the container port by name: %+v", svc.Spec.Ports)
	}
	if ps, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err != nil || !ps.Matches(labels.Set(pod.Labels)) {
		t.Errorf("the PodDisruptionBudget's selector misses the pods (%v)", err)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Errorf("PodDisruptionBudget minAvailable %v: want at least 1", pdb.Spec.MinAvailable)
	}
	if r := hpa.Spec.ScaleTargetRef; r.Kind != "Deployment" || r.Name != dep.Name || r.APIVersion != "apps/v1" {
		t.Errorf("the HPA scales %+v, not the Deployment %s", r, dep.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || *hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas {
		t.Errorf("HPA replicas %v..%d: want at least 2 (the PDB keeps one through a drain)", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}

	// The migration Job runs the same image's migrate once, without restarting in place.
	jc := job.Spec.Template.Spec.Containers
	if len(jc) != 1 || jc[0].Image != c.Image || !slices.Equal(jc[0].Args, []string{"migrate"}) {
		t.Errorf("migration Job containers %+v: want the API's image %s with args [migrate]", jc, c.Image)
	}
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migration Job restartPolicy %q, want Never", job.Spec.Template.Spec.RestartPolicy)
	}
}

// composeFile is the part of the Compose specification that compose.yaml uses. No Compose
// library is served to this project, so the file is decoded strictly into this subset and its
// wiring checked; `docker compose config` has not been run here (docs/deployment.md).
type composeFile struct {
	Name     string                    `json:"name"`
	XAPIEnv  map[string]string         `json:"x-api-env"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]any            `json:"volumes"`
}

type composeService struct {
	Image       string            `json:"image"`
	Build       string            `json:"build"`
	User        string            `json:"user"`
	Command     []string          `json:"command"`
	Entrypoint  []string          `json:"entrypoint"`
	Environment map[string]string `json:"environment"`
	Volumes     []string          `json:"volumes"`
	Ports       []string          `json:"ports"`
	DependsOn   map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Healthcheck *struct {
		Test     []string `json:"test"`
		Interval string   `json:"interval"`
		Timeout  string   `json:"timeout"`
		Retries  int      `json:"retries"`
	} `json:"healthcheck"`
	Deploy *struct {
		Replicas int `json:"replicas"`
	} `json:"deploy"`
	StopGracePeriod string `json:"stop_grace_period"`
	Restart         string `json:"restart"`
}

func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := sigsyaml.UnmarshalStrict(raw, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	conditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, s := range f.Services {
		if s.Image == "" && s.Build == "" {
			t.Errorf("service %s has neither image nor build", name)
		}
		for dep, d := range s.DependsOn {
			target, ok := f.Services[dep]
			switch {
			case !ok:
				t.Errorf("service %s depends on %s, which does not exist", name, dep)
			case !slices.Contains(conditions, d.Condition):
				t.Errorf("service %s: depends_on %s condition %q", name, dep, d.Condition)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("service %s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join("..", src)); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			} else if _, ok := f.Volumes[src]; !ok {
				t.Errorf("service %s mounts volume %s, which is not declared", name, src)
			}
		}
	}
	api, ok := f.Services["api"]
	if !ok || api.Deploy == nil || api.Deploy.Replicas != 2 {
		t.Fatalf("want an api service with 2 replicas: %+v", api)
	}
	if !slices.Equal(api.Command, []string{"serve"}) || api.Image != f.Services["migrate"].Image {
		t.Errorf("api must serve the image that migrate built: %+v", api)
	}
	host := func(dsn string) string { // postgres://u:p@HOST:port/… → HOST
		_, rest, _ := strings.Cut(dsn, "@")
		h, _, _ := strings.Cut(rest, ":")
		return h
	}
	if h := host(api.Environment["DATABASE_URL"]); h != "postgres" {
		t.Errorf("DATABASE_URL points at %q, want the primary", h)
	}
	if h := host(api.Environment["DATABASE_READ_URL"]); h != "postgres-replica" {
		t.Errorf("DATABASE_READ_URL points at %q, want the streaming replica", h)
	}
	if r := api.Environment["REDIS_URL"]; !strings.HasPrefix(r, "redis://redis:") {
		t.Errorf("REDIS_URL %q: both replicas must share the redis service", r)
	}
	if api.DependsOn["migrate"].Condition != "service_completed_successfully" {
		t.Error("the API must start only after the migrations completed")
	}
	replica := f.Services["postgres-replica"]
	script, err := os.ReadFile("compose/replica-start.sh")
	if err != nil || !strings.Contains(string(script), "pg_basebackup") || !strings.Contains(string(script), " -R ") {
		t.Errorf("the replica must be cloned with pg_basebackup -R (%v)", err)
	}
	if replica.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("the replica must wait for a healthy primary")
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
