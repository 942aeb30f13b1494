package report

import (
	"bufio"
	"bytes"
	"context"
	"image/color"
	"image/png"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
)

// The screenshot's size, as chromium is asked for it.
const shotWidth, shotHeight = 1200, 2400

// TestChromiumRendersBenchReport loads the report of two real short runs
// in Debian's headless chromium: a per-session run on the demo handler,
// and a shared run on the racy demo beside a URL that 404s (lost updates,
// duplicates and errors to show). Chromium's screenshot must decode, be
// the size asked and show the charts in their colours; its DOM must hold
// every chart and both verdicts; and it must not connect anywhere: it
// runs with a proxy that counts connections (every fetch of http or
// https would go through it).
func TestChromiumRendersBenchReport(t *testing.T) {
	chromium := testenv.Command(t, "chromium")
	page := filepath.Join(t.TempDir(), "report.html")
	if err := WriteBenchHTMLFile(page, realRuns(t)); err != nil {
		t.Fatal(err)
	}

	proxy := startRecordingProxy(t)
	profile := t.TempDir()
	browse := func(page string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
			"--user-data-dir=" + profile, "--proxy-server=http://" + proxy.addr, "--proxy-bypass-list=<-loopback>",
			"--hide-scrollbars"}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.Bytes()
	}

	shot := filepath.Join(t.TempDir(), "shot.png")
	browse(page, "--window-size=1200,2400", "--screenshot="+shot)
	checkScreenshot(t, shot)

	dom := string(browse(page, "--dump-dom"))
	for _, want := range []string{`<svg id="latency-spectrum"`, `<svg id="throughput"`, `<svg id="latency-series-1"`, `<svg id="errors-series-2"`,
		">CONSISTENT<", ">INCONSISTENT<", "lost updates", "status_404", `id="summary"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("chromium's DOM has no %q", want)
		}
	}
	if i := strings.Index(dom, `<svg id="latency-spectrum"`); i >= 0 {
		spectrum, _, _ := strings.Cut(dom[i:], "</svg>")
		if n := strings.Count(spectrum, "<path"); n != 2 {
			t.Errorf("the spectrum chart shows %d lines, want 2", n)
		}
	}
	if refs := externalRefs(dom); len(refs) > 0 {
		t.Errorf("the page links or fetches: %q", refs)
	}

	// A page that fetches, shown last: once the proxy has seen its two
	// fetches (http, and https through CONNECT), it has seen every
	// connection made before them, the report's included.
	probe := filepath.Join(t.TempDir(), "probe.html")
	os.WriteFile(probe, []byte(`<!DOCTYPE html><style>@font-face { font-family: f; src: url(https://probe-font.invalid/f.woff2) }
body { font-family: f }</style><p>probe</p><img src="http://probe-img.invalid/a.png">`), 0o644)
	browse(probe, "--dump-dom")
	hosts := proxy.waitFor(t, "probe-img.invalid", "probe-font.invalid")
	var fetched []string
	for _, h := range hosts {
		if h != "probe-img.invalid" && h != "probe-font.invalid" && !chromiumService(h) {
			fetched = append(fetched, h)
		}
	}
	if len(fetched) > 0 {
		t.Errorf("chromium connected to %q while showing the report, want nothing", fetched)
	}
}

// chromiumService tells the hosts of chromium's own services, which it
// calls whatever the page (the component updater, network time, the
// account check), from those a page could fetch from: web fonts are not
// among them.
func chromiumService(host string) bool {
	if strings.HasPrefix(host, "fonts.") {
		return false
	}
	for _, d := range []string{"google.com", "googleapis.com", "gvt1.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// recordingProxy is an HTTP proxy that answers nothing: it records the
// host each connection asks for (GET http://host/..., CONNECT host:443)
// and closes it, so that every fetch fails and is seen.
type recordingProxy struct {
	addr  string
	mu    sync.Mutex
	hosts []string
	seen  chan struct{} // a value after each recorded host
}

func startRecordingProxy(t *testing.T) *recordingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &recordingProxy{addr: ln.Addr().String(), seen: make(chan struct{}, 1)}
	go func() {
		// One connection at a time, in the order they came: a host is
		// recorded after every host asked for before it.
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if f := strings.Fields(line); len(f) >= 2 {
				target := f[1]
				if u, err := url.Parse(target); err == nil && u.Host != "" {
					target = u.Host
				}
				host, _, err := net.SplitHostPort(target)
				if err != nil {
					host = target
				}
				p.mu.Lock()
				p.hosts = append(p.hosts, host)
				p.mu.Unlock()
				select {
				case p.seen <- struct{}{}:
				default:
				}
			}
		}
	}()
	return p
}

// waitFor waits until the proxy has recorded every one of hosts (a
// minute at most) and returns every host it recorded.
func (p *recordingProxy) waitFor(t *testing.T, hosts ...string) []string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		p.mu.Lock()
		all := append([]string(nil), p.hosts...)
		p.mu.Unlock()
		missing := false
		for _, h := range hosts {
			missing = missing || !slices.Contains(all, h)
		}
		if !missing {
			return all
		}
		select {
		case <-p.seen:
		case <-deadline:
			t.Fatalf("the proxy saw %q, not the probe's %q: it cannot tell whether the report fetches", all, hosts)
		}
	}
}

// realRuns are two short real runs, bounded in requests and time: the
// demo handler per session, and the racy demo shared with a 404ing URL.
func realRuns(t *testing.T) []BenchRun {
	t.Helper()
	plain := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer plain.Close()
	racy := httptest.NewServer(demo.NewHandler(demo.Options{Racy: true, Delay: time.Millisecond}))
	defer racy.Close()
	run := func(cfg bench.Config) *bench.Result {
		cfg.Engine, cfg.Concurrency, cfg.CounterPath, cfg.IDPath = bench.EngineGoroutine, 8, bench.DefaultCounterPath, bench.DefaultIDPath
		// 2,000 requests at 1,000/s: two seconds, a series of two points.
		cfg.Requests, cfg.Rate, cfg.Duration = 2000, 1000, 10*time.Second
		res, err := bench.Run(context.Background(), cfg)
		if err != nil {
			t.Error(err)
		}
		return res
	}
	var a, b *bench.Result
	var wg sync.WaitGroup
	wg.Go(func() { a = run(bench.Config{URLs: []string{plain.URL + "/"}}) })
	wg.Go(func() { b = run(bench.Config{URLs: []string{racy.URL + "/", racy.URL + "/nope"}, Shared: true}) })
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow()
	}
	if a.Consistency.Verdict != bench.VerdictConsistent || b.Consistency.Verdict != bench.VerdictInconsistent || b.Errors["status_404"] == 0 {
		t.Fatalf("the runs are not what the report is to show: %+v, %+v, errors %v", a.Consistency, b.Consistency, b.Errors)
	}
	return []BenchRun{{Label: "demo, per session", Result: a}, {Label: "racy demo, shared, a 404 URL", Result: b}}
}

// checkScreenshot checks that the PNG at path is the size asked and shows
// the page: many colours, a good share of pixels off the white
// background, the lines of both runs (their colours across much of the
// width: a legend's key or a card's edge is a few pixels wide, the
// spectrum's and the throughput's lines cross the chart), and the
// verdicts' green and red.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != shotWidth || b.Dy() != shotHeight {
		t.Fatalf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), shotWidth, shotHeight)
	}
	lines := map[string]color.RGBA{
		"the first run's blue":    {0x4e, 0x79, 0xa7, 0xff},
		"the second run's orange": {0xf2, 0x8e, 0x2b, 0xff},
	}
	verdicts := map[string]color.RGBA{
		"CONSISTENT's green": {0x1a, 0x7f, 0x37, 0xff},
		"INCONSISTENT's red": {0xcf, 0x22, 0x2e, 0xff},
	}
	colours := map[color.RGBA]bool{}
	inked := 0
	columns := map[string]map[int]bool{}
	pixels := map[string]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			colours[c] = true
			if c.R < 0xf0 || c.G < 0xf0 || c.B < 0xf0 {
				inked++
			}
			for name, w := range lines {
				if closeColour(c, w) {
					if columns[name] == nil {
						columns[name] = map[int]bool{}
					}
					columns[name][x] = true
				}
			}
			for name, w := range verdicts {
				if closeColour(c, w) {
					pixels[name]++
				}
			}
		}
	}
	share := float64(inked) / float64(b.Dx()*b.Dy())
	t.Logf("screenshot: %d colours, %.1f%% inked, line columns %d/%d, verdict pixels %v", len(colours), 100*share,
		len(columns["the first run's blue"]), len(columns["the second run's orange"]), pixels)
	if len(colours) < 100 || share < 0.03 {
		t.Errorf("the screenshot looks blank: %d colours, %.1f%% of pixels off white", len(colours), 100*share)
	}
	for name := range lines {
		if n := len(columns[name]); n < shotWidth/3 {
			t.Errorf("%s is in %d columns of the screenshot, want a chart's line across a third of it at least", name, n)
		}
	}
	for name := range verdicts {
		if pixels[name] < 150 {
			t.Errorf("the screenshot has %d pixels of %s, want a verdict's worth (150)", pixels[name], name)
		}
	}
}

func closeColour(a, b color.RGBA) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}
