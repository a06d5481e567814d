/* SPDX-License-Identifier: MIT */
/*
 * The unit tests, module by module, in a lockfile directory of their
 * own, searchable by all (some tests act as another user in it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "unit.h"

int
main(void)
{
	if (mkdtemp(unit_dir) == NULL || chmod(unit_dir, 0755) == -1) {
		perror(unit_dir);
		return 1;
	}
	unit_pm.trusted[unit_pm.ntrusted++] = geteuid();
	test_buf();
	test_json();
	test_text();
	test_query();
	test_names();
	test_header();
	test_since();
	test_list();
	test_trust();
	test_odd_files();
	test_actions();
	test_writers();
	test_start_rule();
	test_failed_writes();
	test_unwritable();
	test_procmon_state();
	test_signal_races();
	test_lock_outlives_holder();
	test_leader_gone();
	test_family();
	test_out_of_memory();
	remove_tree(unit_dir);
	return check_summary();
}
