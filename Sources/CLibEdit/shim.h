#ifndef CLIBEDIT_SHIM_H
#define CLIBEDIT_SHIM_H
#include <stdio.h>
#include <signal.h>
#include <histedit.h>

/* el_set(), el_get() and history() are variadic, which Swift cannot call; these
   non-variadic wrappers are what the LineEditor target calls instead. */
typedef char *(*clibedit_prompt_fn)(EditLine *);
typedef unsigned char (*clibedit_cmd_fn)(EditLine *, int);

static inline int clibedit_set_prompt(EditLine *el, clibedit_prompt_fn f) { return el_set(el, EL_PROMPT, f); }
/* A prompt whose non-printing escapes (colours) are wrapped in `delimiter` characters, so
   libedit does not count them as columns. */
static inline int clibedit_set_prompt_esc(EditLine *el, clibedit_prompt_fn f, char delimiter) { return el_set(el, EL_PROMPT_ESC, f, delimiter); }
static inline int clibedit_set_terminal(EditLine *el, const char *name) { return el_set(el, EL_TERMINAL, name); }
static inline int clibedit_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int clibedit_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int clibedit_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int clibedit_addfn(EditLine *el, const char *name, const char *help, clibedit_cmd_fn f) {
    return el_set(el, EL_ADDFN, name, help, f);
}
static inline int clibedit_bind(EditLine *el, const char *key, const char *fn) {
    return el_set(el, EL_BIND, key, fn, (const char *)NULL);
}
static inline int clibedit_set_clientdata(EditLine *el, void *p) { return el_set(el, EL_CLIENTDATA, p); }
static inline void *clibedit_get_clientdata(EditLine *el) { void *p = NULL; el_get(el, EL_CLIENTDATA, &p); return p; }

/* Wide-character input hook: libedit calls `f` for every character it reads (EL_GETCFN is
   handled by el_wset, and the callback always receives a wchar_t). */
static inline int clibedit_set_getcfn(EditLine *el, el_rfunc_t f) { return el_wset(el, EL_GETCFN, f); }
/* Forget what is on the screen and redraw prompt + line from the current cursor position. */
static inline int clibedit_refresh(EditLine *el) { return el_wset(el, EL_REFRESH); }
/* 1: put the terminal in libedit's editing (raw) mode, 0: back to the original mode. */
static inline int clibedit_prep_term(EditLine *el, int raw) { return el_set(el, EL_PREP_TERM, raw); }
/* Terminal width libedit currently assumes (updated by el_resize), or 0. */
static inline int clibedit_columns(EditLine *el) { int co = 0; if (el_get(el, EL_GETTC, "co", &co, (void *)NULL) != 0) return 0; return co; }

static inline int clibedit_history_setsize(History *h, HistEvent *ev, int n) { return history(h, ev, H_SETSIZE, n); }
static inline int clibedit_history_setunique(History *h, HistEvent *ev, int on) { return history(h, ev, H_SETUNIQUE, on); }
static inline int clibedit_history_enter(History *h, HistEvent *ev, const char *line) { return history(h, ev, H_ENTER, line); }
static inline int clibedit_history_clear(History *h, HistEvent *ev) { return history(h, ev, H_CLEAR); }

/* wcwidth() and pipe2() are only declared by glibc under _XOPEN_SOURCE / _GNU_SOURCE, which
   Swift's Glibc module does not define. */
#include <wchar.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
extern int wcwidth(wchar_t c);
extern int pipe2(int pipefd[2], int flags);
static inline int clibedit_wcwidth(wchar_t c) { return wcwidth(c); }
static inline int clibedit_pipe_nonblocking(int pipefd[2]) { return pipe2(pipefd, O_NONBLOCK | O_CLOEXEC); }

/* Output capture (LineEditor's Console): a pseudo-terminal whose slave stands in for the
   process's stdout/stderr while the shell is interactive. openpty() and cfmakeraw() are not
   declared by Swift's Glibc module; ioctl() and fcntl() are variadic. */
#include <termios.h>
#include <sys/ioctl.h>
extern int openpty(int *amaster, int *aslave, char *name, const struct termios *termp, const struct winsize *winp);
extern void cfmakeraw(struct termios *termios_p);
/* Copies the window size of terminal `from_fd` to terminal `to_fd`; 0, or -1 on error. */
static inline int clibedit_copy_winsize(int from_fd, int to_fd) {
    struct winsize ws;
    if (ioctl(from_fd, TIOCGWINSZ, &ws) != 0) return -1;
    return ioctl(to_fd, TIOCSWINSZ, &ws);
}
/* A pseudo-terminal pair: the slave in raw mode (bytes pass unchanged, no CR/LF translation,
   no echo), sized like `like_fd`'s terminal; the master non-blocking; both close-on-exec.
   0, or -1 on error (nothing left open). */
static inline int clibedit_open_raw_pty(int *master, int *slave, int like_fd) {
    struct termios t;
    if (openpty(master, slave, NULL, NULL, NULL) != 0) return -1;
    if (tcgetattr(*slave, &t) == 0) { cfmakeraw(&t); (void)tcsetattr(*slave, TCSANOW, &t); }
    (void)clibedit_copy_winsize(like_fd, *slave);
    (void)fcntl(*master, F_SETFD, FD_CLOEXEC);
    (void)fcntl(*slave, F_SETFD, FD_CLOEXEC);
    (void)fcntl(*master, F_SETFL, fcntl(*master, F_GETFL) | O_NONBLOCK);
    return 0;
}
/* dup(fd) with close-on-exec set. */
static inline int clibedit_dup_cloexec(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }
/* Both descriptors name the same terminal device. */
static inline int clibedit_same_terminal(int a, int b) {
    struct stat sa, sb;
    if (!isatty(a) || !isatty(b) || fstat(a, &sa) != 0 || fstat(b, &sb) != 0) return 0;
    return sa.st_rdev == sb.st_rdev;
}

/* Glibc's stdin/stdout/stderr are mutable C globals that Swift 6 rejects. */
static inline FILE *clibedit_stdin(void) { return stdin; }
static inline FILE *clibedit_stdout(void) { return stdout; }
static inline FILE *clibedit_stderr(void) { return stderr; }
#endif
