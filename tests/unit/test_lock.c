/*
 * test_lock.c - the cross-process lock of apply: a second process is refused and told who holds
 * the lock, a lock whose holder died is taken over (and said so), a released lock is free, the
 * file is private, and symbolic links and bad names are refused.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpw/alloc.h"
#include "cpw/buf.h"
#include "cpw/error.h"
#include "cpw/lock.h"
#include "harness.h"

static char s_dir[64];

static int s_setup(void **state)
{
    snprintf(s_dir, sizeof(s_dir), "/tmp/cpw-lock-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    return cpw_test_setup(state);
}

static int s_teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", s_dir);
    }
    return cpw_test_teardown(state);
}

#define LOCK_TEST(fn) cmocka_unit_test_setup_teardown(fn, s_setup, s_teardown)

static void s_locks_dir(char *out, size_t size)
{
    snprintf(out, size, "%s/locks", s_dir);
}

/* What a child process reports through its exit status. */
enum { CHILD_OK = 0, CHILD_NOT_REFUSED = 10, CHILD_WRONG_CODE, CHILD_HOLDER_NOT_NAMED };

static void test_second_process_is_refused_naming_the_holder(void **state)
{
    (void)state;
    char dir[128];
    s_locks_dir(dir, sizeof(dir));
    char *note = NULL;
    struct cpw_lock *lock = cpw_lock_acquire(dir, "plan-abc", "plan abc (p.json)", &note);
    assert_non_null(lock);
    assert_null(note);
    struct stat st;
    assert_int_equal(lstat(cpw_lock_path(lock), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(lstat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    char expect[64];
    snprintf(expect, sizeof(expect), "by pid %ld on host ", (long)getpid());
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) { /* another process: a new open file, so a conflicting flock */
        struct cpw_lock *second = cpw_lock_acquire(dir, "plan-abc", "plan abc (p.json)", NULL);
        int status = second                               ? CHILD_NOT_REFUSED
                     : cpw_last_error() != CPW_ERR_LOCKED ? CHILD_WRONG_CODE
                     : !strstr(cpw_last_error_detail(), expect) ||
                         !strstr(cpw_last_error_detail(), "plan abc (p.json) is being applied") ||
                         !strstr(cpw_last_error_detail(), " since ")
                       ? CHILD_HOLDER_NOT_NAMED
                       : CHILD_OK;
        _exit(status);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), CHILD_OK);

    /* in this process too: a second taker is refused while the first holds it */
    assert_null(cpw_lock_acquire(dir, "plan-abc", "plan abc", NULL));
    assert_int_equal(cpw_last_error(), CPW_ERR_LOCKED);
    /* another name is another lock */
    struct cpw_lock *other = cpw_lock_acquire(dir, "account-123456789012", "account", NULL);
    assert_non_null(other);
    cpw_lock_release(other);

    cpw_lock_release(lock);
    lock = cpw_lock_acquire(dir, "plan-abc", "plan abc", &note);
    assert_non_null(lock); /* released cleanly: free, and nothing to take over */
    assert_null(note);
    cpw_lock_release(lock);
}

static void test_lock_of_a_dead_process_is_taken_over(void **state)
{
    (void)state;
    char dir[128];
    s_locks_dir(dir, sizeof(dir));
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct cpw_lock *lock = cpw_lock_acquire(dir, "account-123456789012", "account", NULL);
        char byte = lock ? 'y' : 'n';
        if (write(ready[1], &byte, 1) != 1) {
            _exit(2);
        }
        raise(SIGKILL); /* dies holding it: never released, the file still names this pid */
        _exit(3);
    }
    close(ready[1]);
    char byte = 0;
    assert_int_equal(read(ready[0], &byte, 1), 1);
    close(ready[0]);
    assert_int_equal(byte, 'y');
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));

    char *note = NULL;
    struct cpw_lock *lock = cpw_lock_acquire(dir, "account-123456789012", "account", &note);
    assert_non_null(lock);
    assert_non_null(note);
    char expect[96];
    snprintf(expect, sizeof(expect), "taking over a lock left by pid %ld on host ", (long)child);
    if (!strstr(note, expect) || !strstr(note, "which is no longer running")) {
        fail_msg("takeover note: %s", note);
    }
    cpw_free(note);
    struct cpw_buf text;
    cpw_buf_init(&text, 4096);
    assert_int_equal(cpw_buf_read_file(&text, cpw_lock_path(lock)), 0);
    char mine[48];
    snprintf(mine, sizeof(mine), "pid %ld\n", (long)getpid());
    assert_non_null(strstr(cpw_buf_cstr(&text), mine)); /* the file now names the new holder */
    cpw_buf_clean_up(&text);
    cpw_lock_release(lock);
}

static void test_links_and_bad_names_are_refused(void **state)
{
    (void)state;
    char dir[128];
    s_locks_dir(dir, sizeof(dir));
    assert_int_equal(mkdir(dir, 0700), 0);
    char target[160];
    char link[160];
    snprintf(target, sizeof(target), "%s/victim", s_dir);
    snprintf(link, sizeof(link), "%s/plan-x.lock", dir);
    int fd = open(target, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "keep", 4), 4);
    close(fd);
    assert_int_equal(symlink(target, link), 0);
    assert_null(cpw_lock_acquire(dir, "plan-x", "plan x", NULL));
    assert_int_equal(cpw_last_error(), CPW_ERR_IO);
    struct stat st;
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_size, 4); /* the link's target was not written */

    assert_null(cpw_lock_acquire(dir, "../escape", "x", NULL));
    assert_int_equal(cpw_last_error(), CPW_ERR_INVALID_ARGUMENT);
    assert_null(cpw_lock_acquire(dir, ".hidden", "x", NULL));
    assert_null(cpw_lock_acquire(dir, "", "x", NULL));
    cpw_lock_release(NULL);
}

CPW_TEST_MAIN("lock",
              LOCK_TEST(test_second_process_is_refused_naming_the_holder),
              LOCK_TEST(test_lock_of_a_dead_process_is_taken_over),
              LOCK_TEST(test_links_and_bad_names_are_refused))
