/*
 * Logging to standard error, one line per event, tagged with the request id
 * of the calling thread when there is one (after OpenBSD httpd's log.c).
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

void	log_init(const char *progname, enum log_level);
/* Parses "error", "warn", "info" or "debug"; -1 for anything else. */
int	log_level_parse(const char *, enum log_level *);

/* The id printed on this thread's lines until set to NULL; not copied. */
void	log_set_request_id(const char *);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
