#ifndef LOCKTRAIL_CLIBPQ_SHIM_H
#define LOCKTRAIL_CLIBPQ_SHIM_H
#include <libpq-fe.h>

/* PG_DIAG_* are character macros in postgres_ext.h; Swift cannot import them as Int32. */
static inline int locktrail_pg_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int locktrail_pg_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int locktrail_pg_diag_message_detail(void) { return PG_DIAG_MESSAGE_DETAIL; }
static inline int locktrail_pg_diag_message_hint(void) { return PG_DIAG_MESSAGE_HINT; }
static inline int locktrail_pg_diag_severity(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }
static inline int locktrail_pg_diag_constraint_name(void) { return PG_DIAG_CONSTRAINT_NAME; }

#endif
