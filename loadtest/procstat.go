package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat. It
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// procCPU returns the CPU time (user+system, all threads) used so far by the
// processes, from /proc/<pid>/stat. Processes that cannot be read count 0.
func procCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		total += parseStatCPU(b)
	}
	return total
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a
// /proc/<pid>/stat line. The command name (field 2) may contain spaces and
// parentheses, so fields are counted from the last ')'.
func parseStatCPU(b []byte) time.Duration {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): utime is field 14, so f[11]; stime f[12].
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+s) * time.Second / clockTicks
}

// procRSS returns the summed resident set size (VmRSS) of the processes.
func procRSS(pids []int) uint64 {
	var total uint64
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			continue
		}
		total += parseStatusKB(b, "VmRSS:") * 1024
	}
	return total
}

// parseStatusKB returns the value in kB of a /proc/<pid>/status line such
// as "VmRSS:	  123456 kB".
func parseStatusKB(b []byte, key string) uint64 {
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseUint(f[0], 10, 64)
			return n
		}
	}
	return 0
}

// selfCPU returns this process's CPU time so far (the load generator's).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy returns the CPU time all processors have spent running tasks
// (user, nice, system) or stolen by the hypervisor (steal) since boot, from
// /proc/stat. Interrupt and softirq time are left out: with loopback traffic
// most of it is the benchmark's own networking, which the kernel charges to
// no process.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	return parseProcStatBusy(b)
}

// parseProcStatBusy reads the aggregate "cpu " line of /proc/stat.
func parseProcStatBusy(b []byte) time.Duration {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "cpu" {
			continue
		}
		var busy uint64
		// user nice system idle iowait irq softirq steal
		for _, i := range []int{1, 2, 3, 8} {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return 0
			}
			busy += n
		}
		return time.Duration(busy) * time.Second / clockTicks
	}
	return 0
}
