/*
 * The three stages of a delivery pass and what they pass each other.
 * The claimer (deliver.c) claims due messages a batch at a time and
 * renders them; the senders (deliver_send.c), one per SMTP connection,
 * put them on the wire; the marker (deliver_mark.c) marks the outcomes,
 * a batch to a transaction. So claiming, rendering and marking overlap
 * the SMTP exchanges instead of coming between them.
 *
 * No stage lets a message be sent twice more often than before: a sender
 * lets the server take a message (the final dot) only once the one it
 * sent before is marked, so a crash finds at most one message per
 * connection sent and not marked.
 */
#ifndef WORKER_DELIVER_PIPE_H
#define WORKER_DELIVER_PIPE_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "../common/store_outbox.h"
#include "deliver.h"

enum deliver_outcome {
	DELIVER_SENT,
	DELIVER_RETRY,		/* temporary failure: queued again */
	DELIVER_FAILED,		/* for good */
	DELIVER_LOST		/* the lease ran out: another worker has it */
};

/* Claimed and rendered messages waiting for the senders, at most. */
#define DELIVER_QUEUE_MAX	64

struct deliver_sender;

/* A claimed message on its way, owned by the stage that holds it. */
struct deliver_item {
	struct outbox_msg	 m;
	char			*msg;		/* rendered */
	size_t			 len;
	/* When its lease was last set (monotonic); while in the queue,
	 * set by the claimer under the mutex, then the sender's. */
	struct timespec		 lease_at;
	int			 lost;		/* its lease went to another */
	enum deliver_outcome	 outcome;
	int64_t			 at;		/* sent, or retry at */
	char			 why[OUTBOX_ERROR_MAX + 32];
	/* The connection it was accepted over, until it is marked. */
	struct deliver_sender	*sender;
	struct deliver_item	*next;
};

struct deliver_queue {
	struct deliver_item	*head;
	struct deliver_item	*tail;
	int			 n;
};

/* One sender: a thread with its own SMTP and database connection. */
struct deliver_sender {
	pthread_t		 thread;
	struct deliver_pipe	*p;
	struct job		 j;
	/* Accepted by the server and not marked yet (at most one). */
	int			 unmarked;
	int			 rc;
};

/*
 * What the stages share, under mu. Each kind of waiter has its own
 * condition, so that a message on its way wakes only who has work:
 * senders wait for todo, the claimer for room in it, the marker for
 * outcomes, a sender's final dot for its mark. An end or a failure
 * wakes them all (deliver_pipe_wake_all()).
 */
struct deliver_pipe {
	pthread_mutex_t		 mu;
	pthread_cond_t		 todo_cv;
	pthread_cond_t		 room_cv;
	pthread_cond_t		 done_cv;
	pthread_cond_t		 marked_cv;
	const struct job	*j;
	struct deliver_queue	 todo;		/* claimed and rendered */
	int			 todo_max;
	/* Seconds a send takes, a moving average; 0 before the first. */
	double			 send_s;
	int			 claiming;	/* more may come into todo */
	struct deliver_queue	 done;		/* outcomes to mark */
	int			 sending;	/* senders still running */
	int			 busy;		/* senders with a message */
	int			 fatal;		/* a stage failed: all stop */
};

void	deliver_pipe_init(struct deliver_pipe *, const struct job *);
void	deliver_pipe_cleanup(struct deliver_pipe *);
/* Wakes every waiter: an end, or a failure (under mu). */
void	deliver_pipe_wake_all(struct deliver_pipe *);
/* How many messages to keep queued for the senders now (under mu). */
int	deliver_queue_target(const struct deliver_pipe *);

void	deliver_item_free(struct deliver_item *);
void	deliver_queue_put(struct deliver_queue *, struct deliver_item *);
struct deliver_item *deliver_queue_take(struct deliver_queue *);
/* Takes the whole queue: the items, chained by next. */
struct deliver_item *deliver_queue_take_all(struct deliver_queue *);
void	deliver_queue_free(struct deliver_queue *);

/* The lease's end if it were set now. */
int64_t	deliver_lease_end(const struct job *);
/*
 * Whether a lease set at set_at is due for renewal at now: down to half
 * and a second, and set at least 0.2 s ago.
 */
int	deliver_lease_due(const struct job *, const struct timespec *set_at,
	    const struct timespec *now);

/* A sender's thread (deliver_send.c). */
void	*deliver_sender_main(void *);

/*
 * The marker's thread (deliver_mark.c): arg is a struct deliver_marker,
 * whose stats and rc it fills.
 */
struct deliver_marker {
	pthread_t		 thread;
	struct deliver_pipe	*p;
	struct deliver_stats	 stats;
	int			 rc;
};
void	*deliver_marker_main(void *);

#endif
