/*
 * Deadlines on the monotonic clock (CLOCK_MONOTONIC), which no change
 * of the wall clock moves.
 */
#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Sets t to ms milliseconds from now. */
void	clock_after(struct timespec *t, int64_t ms);
/* Moves t on by ms milliseconds. */
void	clock_add_ms(struct timespec *t, int64_t ms);
/* Milliseconds from now until t, rounded up; 0 or less once past. */
int64_t	clock_ms_until(const struct timespec *t);

#endif
