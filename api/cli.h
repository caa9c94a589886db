/*
 * Operator commands of portal-api: migrate, create-partner, create-user,
 * copy-to, routes. Each returns the process exit status.
 */
#ifndef API_CLI_H
#define API_CLI_H

#include "../common/config.h"

int	cli_migrate(const struct config *);
int	cli_create_partner(const struct config *, int argc, char **argv);
int	cli_create_user(const struct config *, int argc, char **argv);
int	cli_copy_to(const struct config *, int argc, char **argv);
int	cli_routes(void);

#endif
