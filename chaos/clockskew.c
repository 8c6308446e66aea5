/*
 * chaos/clockskew.c: a clock offset for one process, preloaded (LD_PRELOAD) by chaos/chaos.sh's node launcher
 * for the clock scenario. It moves the wall clock only (CLOCK_REALTIME and its variants, gettimeofday, time)
 * by CHAOS_CLOCK_OFFSET_MS milliseconds (negative: behind); monotonic clocks, sleeps and timers are left alone.
 *
 * Why not Debian's libfaketime: under it (0.9.10, FAKETIME=+20s, monotonic not faked) a Gatehouse node served
 * 62 requests/s where it serves 74,000 (wrk, GET /.well-known/openid-configuration, docs/RELIABILITY.md), since
 * it also intercepts the JVM's sleeps, polls and condition waits; a skewed node that slow measures its
 * slowness, not the skew.
 *
 * Build: gcc -shared -fPIC -O2 -o clockskew.so clockskew.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long offset_ns;
static int ready;
static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int (*real_gettimeofday)(struct timeval *, void *);

static void init(void) {
  if (ready) return;
  real_clock_gettime = (int (*)(clockid_t, struct timespec *)) dlsym(RTLD_NEXT, "clock_gettime");
  real_gettimeofday = (int (*)(struct timeval *, void *)) dlsym(RTLD_NEXT, "gettimeofday");
  const char *s = getenv("CHAOS_CLOCK_OFFSET_MS");
  offset_ns = s ? atoll(s) * 1000000LL : 0;
  ready = 1;
}

__attribute__((constructor)) static void on_load(void) { init(); }

static int is_wall(clockid_t c) {
  return c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE || c == CLOCK_TAI;
}

int clock_gettime(clockid_t c, struct timespec *ts) {
  init();
  int r = real_clock_gettime(c, ts);
  if (r == 0 && ts && is_wall(c)) {
    long long ns = (long long) ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ns;
    ts->tv_sec = (time_t) (ns / 1000000000LL);
    ts->tv_nsec = (long) (ns % 1000000000LL);
  }
  return r;
}

int gettimeofday(struct timeval *tv, void *tz) {
  init();
  int r = real_gettimeofday(tv, tz);
  if (r == 0 && tv) {
    long long us = (long long) tv->tv_sec * 1000000LL + tv->tv_usec + offset_ns / 1000;
    tv->tv_sec = (time_t) (us / 1000000LL);
    tv->tv_usec = (long) (us % 1000000LL);
  }
  return r;
}

time_t time(time_t *t) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (t) *t = ts.tv_sec;
  return ts.tv_sec;
}
