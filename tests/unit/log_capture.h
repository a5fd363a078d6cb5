/* Captures what the code under test logs, one line per message: "EVENT LEVEL TEXT". */
#ifndef DLO_TEST_LOG_CAPTURE_H
#define DLO_TEST_LOG_CAPTURE_H

#include "dlo/buf.h"

#include <stdbool.h>

/* Starts capturing (as a cmocka group setup) and stops (teardown). */
int log_capture_start(void **state);
int log_capture_stop(void **state);
/* Forgets what was captured so far. */
void log_capture_reset(void);
const char *log_captured(void);
bool log_has(const char *needle);

#endif
