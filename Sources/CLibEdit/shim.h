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
extern int wcwidth(wchar_t c);
extern int pipe2(int pipefd[2], int flags);
static inline int clibedit_wcwidth(wchar_t c) { return wcwidth(c); }
static inline int clibedit_pipe_nonblocking(int pipefd[2]) { return pipe2(pipefd, O_NONBLOCK | O_CLOEXEC); }

/* Glibc's stdin/stdout/stderr are mutable C globals that Swift 6 rejects. */
static inline FILE *clibedit_stdin(void) { return stdin; }
static inline FILE *clibedit_stdout(void) { return stdout; }
static inline FILE *clibedit_stderr(void) { return stderr; }
#endif
