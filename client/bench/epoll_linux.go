//go:build linux

package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The epoll engine is wrk's design in Go: a few event loops, each on an OS
// thread of its own (runtime.LockOSThread) with its own epoll fd and its
// share of the workers' non-blocking sockets, edge-triggered. A socket is
// read only when epoll says it is readable, and a worker's next request is
// written as soon as its response is complete, so a request costs about
// three system calls (write, read, a share of epoll_wait) and no park and
// wake-up of a goroutine. Timeouts, pacing (--rate) and the pause after a
// failed connect are due times the loop's epoll_wait timeout covers;
// cancellation writes to an eventfd each loop watches.

// epollAvailable says whether this system has the epoll engine.
const epollAvailable = true

type epollLoader struct{ threads int }

func newEpollLoader(threads int) loader { return epollLoader{threads: threads} }

// epAddr is a target's address, resolved once.
type epAddr struct {
	family int
	sa     unix.Sockaddr
	err    error
}

func resolve(addr string) epAddr {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return epAddr{err: err}
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: ta.Port}
		copy(sa.Addr[:], ip4)
		return epAddr{family: unix.AF_INET, sa: sa}
	}
	sa := &unix.SockaddrInet6{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To16())
	if ta.Zone != "" {
		if ifi, err := net.InterfaceByName(ta.Zone); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return epAddr{family: unix.AF_INET6, sa: sa}
}

func (l epollLoader) load(stop, cut context.Context, e *engine) {
	addrs := make([]epAddr, len(e.targets))
	for i, t := range e.targets {
		addrs[i] = resolve(t.addr)
	}
	n := l.threads
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	n = min(n, len(e.workers))
	// The loops keep their Ps while they block in epoll_wait (epollWait):
	// one P more runs the rest (the watchdog, timers, a server in this
	// process).
	if p := runtime.GOMAXPROCS(0); p < n+1 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n + 1))
	}
	loops := make([]*evLoop, 0, n)
	defer func() {
		for _, lp := range loops {
			lp.close()
		}
	}()
	for k := range n {
		lp, err := newEvLoop(e, addrs, cut)
		if err != nil {
			e.abort("start the epoll engine: " + err.Error())
			return
		}
		loops = append(loops, lp)
		for i := k; i < len(e.workers); i += n {
			lp.add(e.workers[i])
		}
		e.addSink(lp.sink) // each loop's second histogram, which the watchdog drains
	}
	// At stop the loops finish their waiting workers (the busy ones finish
	// their request first); at cut they cut the requests in flight.
	wakeAll := func(done chan struct{}) func() {
		return func() {
			defer close(done)
			for _, lp := range loops {
				lp.wake()
			}
		}
	}
	stopDone, cutDone := make(chan struct{}), make(chan struct{})
	unStop := context.AfterFunc(stop, wakeAll(stopDone))
	unCut := context.AfterFunc(cut, wakeAll(cutDone))
	var wg sync.WaitGroup
	for _, lp := range loops {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			lp.run()
		})
	}
	wg.Wait()
	if !unStop() {
		<-stopDone // the wake-ups are written before the eventfds close
	}
	if !unCut() {
		<-cutDone
	}
}

// evLoop is one event loop and the workers it drives.
type evLoop struct {
	e      *engine
	cut    context.Context
	addrs  []epAddr
	epfd   int
	wakefd int
	ws     []*evWorker
	conns  []*evConn // by the slot in each epoll event
	events []unix.EpollEvent
	sink   *histSink
	active int // workers not finished

	now       time.Time
	nextScan  time.Time // when to look for timed-out requests
	scanEvery time.Duration
	nextDue   time.Time // the earliest due time of a waiting worker; zero: none
}

// wakeSlot is the slot of the loop's eventfd in its epoll events.
const wakeSlot = -1

// evWorker is a worker in an event loop: one request at a time, as in the
// goroutine engine, on its connection to the request's target.
type evWorker struct {
	w     *worker
	conns []*evConn // by target
	state evState
	cur   *evConn // the request's connection while busy

	v               *vu
	ti              int
	intended, start time.Time
	retried         bool
	req             []byte
	off             int       // bytes of req written
	due             time.Time // while waiting
	dueNext         bool      // at due: plan a new request, not start the planned one
}

type evState uint8

const (
	evBusy     evState = iota // a request in flight on cur
	evWaiting                 // until due
	evFinished                // no more requests
)

// evConn is one keep-alive connection of a worker to one target.
type evConn struct {
	ew         *evWorker
	ti         int
	slot       int32
	gen        int32 // bumped at every dial: an event of an old socket is stale
	fd         int   // -1: closed
	connecting bool
	reused     bool
	in         inBuf
}

func newEvLoop(e *engine, addrs []epAddr, cut context.Context) (*evLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: wakeSlot}); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	// Each loop its own copy: unix.Connect writes into a Sockaddr.
	own := make([]epAddr, len(addrs))
	for i, a := range addrs {
		own[i] = a
		switch sa := a.sa.(type) {
		case *unix.SockaddrInet4:
			c := *sa
			own[i].sa = &c
		case *unix.SockaddrInet6:
			c := *sa
			own[i].sa = &c
		}
	}
	return &evLoop{
		e: e, cut: cut, addrs: own, epfd: epfd, wakefd: wakefd,
		sink:      newHistSink(),
		scanEvery: max(e.cfg.Timeout/16, time.Millisecond),
	}, nil
}

func (l *evLoop) add(w *worker) {
	l.sink.add(w)
	ew := &evWorker{w: w}
	for ti := range l.e.targets {
		c := &evConn{ew: ew, ti: ti, slot: int32(len(l.conns)), fd: -1}
		l.conns = append(l.conns, c)
		ew.conns = append(ew.conns, c)
	}
	l.ws = append(l.ws, ew)
}

// wake makes the loop's epoll_wait return and the loop end.
func (l *evLoop) wake() {
	one := [8]byte{1}
	unix.Write(l.wakefd, one[:])
}

func (l *evLoop) close() {
	for _, c := range l.conns {
		l.closeConn(c)
	}
	unix.Close(l.wakefd)
	unix.Close(l.epfd)
}

func (l *evLoop) run() {
	l.events = make([]unix.EpollEvent, len(l.conns)+1) // and the eventfd's
	l.now = time.Now()
	l.nextScan = l.now.Add(l.scanEvery)
	l.active = len(l.ws)
	for _, ew := range l.ws {
		l.next(ew)
	}
	for l.active > 0 {
		n, err := epollWait(l.epfd, l.events, l.waitMillis())
		if err != nil && err != unix.EINTR {
			l.e.abort("epoll_wait: " + err.Error())
			return
		}
		l.now = time.Now()
		for _, ev := range l.events[:max(n, 0)] {
			if ev.Fd == wakeSlot {
				var b [8]byte
				unix.Read(l.wakefd, b[:])
				if l.cut.Err() != nil {
					l.cutAll() // as in the goroutine engine
					return
				}
				l.finishWaiting() // the run is stopping
				continue
			}
			if c := l.conns[ev.Fd]; c.fd >= 0 && c.gen == ev.Pad {
				l.event(c, ev.Events)
			}
		}
		if !l.nextDue.IsZero() && !l.now.Before(l.nextDue) {
			l.wakeDue()
		}
		if !l.now.Before(l.nextScan) {
			l.scanTimeouts()
			l.nextScan = l.now.Add(l.scanEvery)
		}
	}
}

// finishWaiting finishes the workers that wait (for a paced request's
// time, or after a failed connect): the run stops, and no request starts.
func (l *evLoop) finishWaiting() {
	for _, ew := range l.ws {
		if ew.state == evWaiting {
			ew.state, ew.cur = evFinished, nil
			l.active--
		}
	}
}

// cutAll counts the requests in flight as cut by the end of the run.
func (l *evLoop) cutAll() {
	for _, ew := range l.ws {
		if ew.state != evBusy {
			continue
		}
		state := cutState(ew.w.resp.n)
		if ew.cur.connecting {
			state = "connecting"
		}
		ew.w.cutShort(ew.v, ew.ti, ew.start, state)
		l.closeConn(ew.cur)
		ew.state, ew.cur = evFinished, nil
		l.active--
	}
}

// waitMillis is epoll_wait's timeout: until the next due time or scan.
func (l *evLoop) waitMillis() int {
	until := l.nextScan
	if !l.nextDue.IsZero() && l.nextDue.Before(until) {
		until = l.nextDue
	}
	d := until.Sub(l.now) // l.now lags by the batch's work: a wait that long later is harmless
	if d <= 0 {
		return 0
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

func (l *evLoop) setDue(t time.Time) {
	if l.nextDue.IsZero() || t.Before(l.nextDue) {
		l.nextDue = t
	}
}

func (l *evLoop) wait(ew *evWorker, due time.Time, next bool) {
	ew.state, ew.due, ew.dueNext, ew.cur = evWaiting, due, next, nil
	l.setDue(due)
}

// wakeDue starts the waiting workers whose time has come.
func (l *evLoop) wakeDue() {
	l.nextDue = time.Time{}
	for _, ew := range l.ws {
		switch {
		case ew.state != evWaiting:
		case ew.due.After(l.now):
			l.setDue(ew.due)
		case ew.dueNext:
			l.next(ew)
		default:
			l.begin(ew, ew.due)
		}
	}
}

// next plans ew's next request and starts it, or makes ew wait for its
// intended send time, or finishes ew.
func (l *evLoop) next(ew *evWorker) {
	intended, ok := ew.w.plan()
	switch {
	case !ok:
		ew.state, ew.cur = evFinished, nil
		l.active--
	case !intended.IsZero() && intended.After(l.now):
		l.wait(ew, intended, false)
	default:
		l.begin(ew, intended)
	}
}

func (l *evLoop) begin(ew *evWorker, intended time.Time) {
	w := ew.w
	ew.v, ew.ti = w.nextVU(), w.nextTarget()
	if intended.IsZero() {
		intended = l.now
	}
	ew.intended, ew.retried = intended, false
	l.send(ew)
}

// send writes ew's request on its connection to the target, connecting
// first when there is none.
func (l *evLoop) send(ew *evWorker) {
	e := l.e
	c := ew.conns[ew.ti]
	ew.state, ew.cur, ew.start = evBusy, c, l.now
	ew.req, ew.off = ew.v.request(e, ew.ti, l.now), 0
	ew.w.resp.reset(e.tmpls[ew.ti].isHead)
	if c.fd < 0 {
		if err := l.dial(c); err != nil {
			l.connectFailed(ew, err)
			return
		}
	}
	if !c.connecting {
		l.write(ew)
	}
}

func (l *evLoop) dial(c *evConn) error {
	a := l.addrs[c.ti]
	if a.err != nil {
		return a.err
	}
	fd, err := unix.Socket(a.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c.gen++
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: c.slot, Pad: c.gen}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		return os.NewSyscallError("epoll_ctl", err)
	}
	c.fd, c.reused = fd, false
	c.in.reset()
	switch err := unix.Connect(fd, a.sa); err {
	case nil:
		c.connecting = false
	case unix.EINPROGRESS:
		c.connecting = true
	default:
		l.closeConn(c)
		return os.NewSyscallError("connect", err)
	}
	return nil
}

func (l *evLoop) closeConn(c *evConn) {
	if c.fd >= 0 {
		unix.Close(c.fd) // which takes it out of the epoll set
		c.fd, c.connecting, c.reused = -1, false, false
		c.in.reset()
	}
}

// event handles what epoll says of c.
func (l *evLoop) event(c *evConn, ev uint32) {
	ew := c.ew
	if ew.state != evBusy || ew.cur != c {
		l.idleEvent(c, ev)
		return
	}
	if c.connecting {
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err == nil && errno != 0 {
			err = syscall.Errno(errno)
		}
		if err != nil {
			l.connectFailed(ew, os.NewSyscallError("connect", err))
			return
		}
		c.connecting = false
		if !l.write(ew) {
			return
		}
	} else if ew.off < len(ew.req) && ev&unix.EPOLLOUT != 0 {
		if !l.write(ew) {
			return
		}
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		l.read(ew, ev)
	}
}

// idleEvent handles an event on a connection no request is waiting on: the
// server closed it (or sent what nobody asked for), so it goes.
func (l *evLoop) idleEvent(c *evConn, ev uint32) {
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
		return
	}
	if _, err := rawRead(c.fd, c.in.space()); err == unix.EAGAIN && ev&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
		return
	}
	l.closeConn(c)
}

// write writes what is left of ew's request; it reports false when the
// request failed (and ew moved on).
func (l *evLoop) write(ew *evWorker) bool {
	c := ew.cur
	for ew.off < len(ew.req) {
		n, err := rawWrite(c.fd, ew.req[ew.off:])
		if n > 0 {
			ew.off += n
			ew.w.written += int64(n)
		}
		switch {
		case err == nil:
		case err == unix.EAGAIN:
			return true // the rest when epoll says the socket is writable
		case err == unix.EINTR:
		default:
			l.requestError(ew, os.NewSyscallError("write", err))
			return false
		}
	}
	return true
}

// read reads what c has and feeds it to the response parser.
func (l *evLoop) read(ew *evWorker, ev uint32) {
	c, r := ew.cur, &ew.w.resp
	hup := ev&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
	for {
		space := c.in.space()
		n, err := rawRead(c.fd, space)
		switch {
		case n > 0:
			c.in.filled(n)
			used, done, perr := r.feed(c.in.pending())
			c.in.consume(used)
			switch {
			case perr != nil:
				l.requestError(ew, perr)
				return
			case done:
				l.complete(ew, hup)
				return
			case n < len(space) && !hup:
				return // edge-triggered: a short read drained the socket
			}
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
		case err != nil:
			l.requestError(ew, os.NewSyscallError("read", err))
			return
		default: // end of the connection
			if perr := r.eof(len(c.in.pending())); perr != nil {
				l.requestError(ew, perr)
				return
			}
			l.complete(ew, true)
			return
		}
	}
}

// complete counts and checks ew's response and goes on to its next
// request.
func (l *evLoop) complete(ew *evWorker, closed bool) {
	end := time.Now()
	l.now = end
	c := ew.cur
	c.reused = true
	if closed || ew.w.resp.close {
		l.closeConn(c)
	}
	ew.w.completed(ew.v, ew.ti, ew.intended, end)
	ew.cur = nil
	l.next(ew)
}

// requestError ends ew's request with err, or retries it once on a new
// connection when a keep-alive connection was closed while idle.
func (l *evLoop) requestError(ew *evWorker, err error) {
	c := ew.cur
	reused := c.reused
	l.closeConn(c)
	if retryable(reused, ew.retried, &ew.w.resp, err) {
		ew.retried = true
		l.send(ew)
		return
	}
	ew.w.requestFailed(ew.v, ew.ti, err)
	// The next request after the next epoll_wait: a target that fails at
	// once does not recurse.
	l.wait(ew, l.now, true)
}

func (l *evLoop) connectFailed(ew *evWorker, err error) {
	l.closeConn(ew.cur)
	ew.w.connectFailed(ew.v, ew.ti, err)
	l.wait(ew, l.now.Add(connectPause), true)
}

// errTimedOut is a request past its Timeout: a timeout to classify.
var errTimedOut = fmt.Errorf("read: %w", os.ErrDeadlineExceeded)

// scanTimeouts fails the requests in flight for 15/16 of Timeout: with
// scans every Timeout/16, a request times out after between 15/16 of
// Timeout and Timeout, as in the goroutine engine.
func (l *evLoop) scanTimeouts() {
	limit := l.e.cfg.Timeout - l.e.cfg.Timeout/16
	for _, ew := range l.ws {
		if ew.state != evBusy || l.now.Sub(ew.start) < limit {
			continue
		}
		if ew.cur.connecting {
			l.connectFailed(ew, fmt.Errorf("dial: %w", os.ErrDeadlineExceeded))
			continue
		}
		l.requestError(ew, errTimedOut)
	}
}

// rawRead and rawWrite are read(2) and write(2) on a non-blocking socket
// without the scheduler's entersyscall and exitsyscall around them (a
// fifth of the loop's own CPU): they never block, so the thread keeps its
// P and sysmon has nothing to retake. Only epoll_wait, which does block,
// goes through the scheduler.
func rawRead(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// epollWait is epoll_pwait(2) without the scheduler too: the loop's thread
// is its own (LockOSThread) and keeps its P while it blocks, so sysmon does
// not hand the P off and back at every wait (with the scheduler's
// syscalls, sysmon wakes every 20 µs and costs a tenth of the client's
// CPU). sysmon still preempts a loop that holds its P for 10 ms (a signal:
// epoll_pwait returns EINTR), so garbage collection and other goroutines
// are never held up longer; load gives them a P of their own.
func epollWait(epfd int, events []unix.EpollEvent, msec int) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(unsafe.SliceData(events))),
		uintptr(len(events)), uintptr(msec), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
