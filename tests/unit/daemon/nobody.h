/*
 * nobody.h - for the storage tests that run as root: a child process
 * becomes "nobody", with no group, and with CAP_CHOWN alone or no
 * capability at all, to see what acmed may give files without them.
 */
#ifndef ACMED_TEST_NOBODY_H
#define ACMED_TEST_NOBODY_H

#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY	65534
#define DAEMON	1	/* a group nobody is not in */

/* In the child: 0, or the exit status that says which step failed. */
static inline int
become_nobody(int with_chown)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
	    0 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_SET_KEEPCAPS, 1) == -1 || setgroups(0, NULL) == -1 ||
	    setgid(NOBODY) == -1 || setuid(NOBODY) == -1)
		return 10;
	memset(data, 0, sizeof(data));
	if (with_chown)
		data[0].effective = data[0].permitted = 1U << CAP_CHOWN;
	if (syscall(SYS_capset, &hdr, data) == -1)
		return 11;
	return 0;
}

#endif
