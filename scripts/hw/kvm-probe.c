/*
 * kvm-probe: what this machine's /dev/kvm can reproduce of faultsync's findings, and a real-kernel
 * experiment for the finding gmem-punch-hole-refault-livelock.
 *
 *   kvm-probe caps
 *       The KVM capabilities the findings need, asked of /dev/kvm itself (a VM fd answers for
 *       that VM's type only: KVM_CAP_MEMORY_ATTRIBUTES is 0 on a default VM whatever the host
 *       supports), with numbers from include/uapi/linux/kvm.h so old headers build it:
 *       KVM_PRE_FAULT_MEMORY (prefault-obsolete-root-spin), guest_memfd and
 *       memory attributes (the guest_memfd findings), Xen HVM (an hva-based gfn_to_pfn_cache:
 *       gpc-hva-refresh-misses-invalidation), and the kvm module's tdp_mmu parameter.
 *
 *   kvm-probe punch KIND TOUCH PAGES ITERS
 *       KIND gmem: a KVM_X86_DEFAULT_VM guest_memfd created with GUEST_MEMFD_FLAG_MMAP |
 *       GUEST_MEMFD_FLAG_INIT_SHARED, mapped MAP_SHARED; KIND memfd: a memfd (tmpfs, which has
 *       the f00cdc6df7d7 guard) as the control. With TOUCH=1 a thread pinned to CPU 1 reads the
 *       first page in a loop, so a punch that frees it is usually followed by a refault into the hole
 *       (kvm_gmem_fault_user_mapping). The main thread, pinned to CPU 0, punches [0, PAGES pages)
 *       ITERS times and prints the mean and worst fallocate(PUNCH_HOLE) time, and the toucher's
 *       page faults (its refaults into the hole).
 *
 * Exit status 0, 2 on a usage error or when the machine cannot run the experiment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define CAP_USER_MEMORY2 231
#define CAP_MEMORY_ATTRIBUTES 233
#define CAP_GUEST_MEMFD 234
#define CAP_VM_TYPES 235
#define CAP_PRE_FAULT_MEMORY 236
struct create_gmem { uint64_t size, flags, reserved[6]; };
#define CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct create_gmem)
#define GMEM_FLAG_MMAP (1ULL << 0)
#define GMEM_FLAG_INIT_SHARED (1ULL << 1)

static int open_vm(void) {
	int kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) { fprintf(stderr, "kvm-probe: error: /dev/kvm: %s\n", strerror(errno)); exit(2); }
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) { fprintf(stderr, "kvm-probe: error: KVM_CREATE_VM: %s\n", strerror(errno)); exit(2); }
	return vm;
}

static int caps(void) {
	int kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) { fprintf(stderr, "kvm-probe: error: /dev/kvm: %s\n", strerror(errno)); return 2; }
	static const struct { int cap; const char *name, *needed_by; } c[] = {
		{ CAP_PRE_FAULT_MEMORY, "KVM_CAP_PRE_FAULT_MEMORY", "prefault-obsolete-root-spin" },
		{ CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD", "the guest_memfd findings" },
		{ CAP_MEMORY_ATTRIBUTES, "KVM_CAP_MEMORY_ATTRIBUTES", "private memory (gmem-mmap-shared-not-zapped)" },
		{ CAP_VM_TYPES, "KVM_CAP_VM_TYPES", "VM types, a bitmap: 1 default, 2 SW_PROTECTED, 0x20 TDX" },
		{ KVM_CAP_XEN_HVM, "KVM_CAP_XEN_HVM", "an hva-based gfn_to_pfn_cache (gpc-hva-refresh-misses-invalidation)" },
		{ CAP_USER_MEMORY2, "KVM_CAP_USER_MEMORY2", "guest_memfd memslots" },
	};
	for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
		printf("%-26s %#x   (%s)\n", c[i].name, ioctl(kvm, KVM_CHECK_EXTENSION, c[i].cap), c[i].needed_by);
	char buf[64] = "?";
	FILE *f = fopen("/sys/module/kvm/parameters/tdp_mmu", "r");
	if (f) { if (!fgets(buf, sizeof buf, f)) strcpy(buf, "?"); fclose(f); buf[strcspn(buf, "\n")] = 0; }
	printf("%-26s %s\n", "kvm.tdp_mmu", buf);
	return 0;
}

static volatile int stop;
static volatile char *mem;
static unsigned long touches;
static long toucher_faults;

static void pin(int cpu) {
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof s, &s)) {
		fprintf(stderr, "kvm-probe: error: cannot run on CPU %d (%s): the experiment needs two CPUs\n", cpu, strerror(errno));
		exit(2);
	}
}

static void *toucher(void *arg) {
	(void)arg;
	pin(1);
	struct rusage a, b;
	getrusage(RUSAGE_THREAD, &a);
	while (!stop) { (void)mem[0]; touches++; }
	getrusage(RUSAGE_THREAD, &b);
	toucher_faults = b.ru_minflt - a.ru_minflt;    /* its refaults into the hole */
	return NULL;
}

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int punch(const char *kind, int touch, int pages, int iters) {
	size_t size = 2 << 20;
	int fd;
	if (touch < 0 || touch > 1 || pages < 1 || (size_t)pages * 4096 > size || iters < 1) {
		fprintf(stderr, "kvm-probe: error: TOUCH must be 0 or 1, PAGES 1..512 and ITERS positive\n");
		return 2;
	}
	if (!strcmp(kind, "gmem")) {
		int vm = open_vm();
		struct create_gmem c = { .size = size, .flags = GMEM_FLAG_MMAP | GMEM_FLAG_INIT_SHARED };
		fd = ioctl(vm, CREATE_GUEST_MEMFD, &c);
		if (fd < 0) { fprintf(stderr, "kvm-probe: error: KVM_CREATE_GUEST_MEMFD(MMAP | INIT_SHARED): %s\n", strerror(errno)); return 2; }
	} else if (!strcmp(kind, "memfd")) {
		fd = memfd_create("kvm-probe", 0);
		if (fd < 0 || ftruncate(fd, size)) { perror("kvm-probe: memfd"); return 2; }
	} else {
		fprintf(stderr, "kvm-probe: error: KIND must be gmem or memfd\n");
		return 2;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) { perror("kvm-probe: mmap"); return 2; }
	(void)mem[0];
	pin(0);
	pthread_t t;
	if (touch && pthread_create(&t, NULL, toucher, NULL)) { fprintf(stderr, "kvm-probe: error: pthread_create failed\n"); return 2; }
	usleep(10000);
	double worst = 0, total = 0;
	int over1ms = 0;
	for (int i = 0; i < iters; i++) {
		double a = now();
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)pages * 4096)) {
			perror("kvm-probe: fallocate");
			return 2;
		}
		double d = now() - a;
		total += d;
		if (d > worst) worst = d;
		if (d > 1e-3) over1ms++;
	}
	stop = 1;
	if (touch) pthread_join(t, NULL);
	printf("%-5s toucher=%d pages=%-3d punches=%d: mean %.1f us, worst %.3f ms, %d over 1 ms; toucher: %lu reads, %ld page faults\n",
	       kind, touch, pages, iters, total / iters * 1e6, worst * 1e3, over1ms, touches, toucher_faults);
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 2 && !strcmp(argv[1], "caps")) return caps();
	if (argc == 6 && !strcmp(argv[1], "punch")) {
		char *e1, *e2, *e3;
		long t = strtol(argv[3], &e1, 10), p = strtol(argv[4], &e2, 10), n = strtol(argv[5], &e3, 10);
		if (*e1 || *e2 || *e3 || !*argv[3] || !*argv[4] || !*argv[5] || n > 100000000) {
			fprintf(stderr, "kvm-probe: error: TOUCH, PAGES and ITERS must be numbers\n");
			return 2;
		}
		return punch(argv[2], (int)t, (int)p, (int)n);
	}
	fprintf(stderr, "usage: kvm-probe caps | kvm-probe punch gmem|memfd TOUCH PAGES ITERS\n");
	return 2;
}
