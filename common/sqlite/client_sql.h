/*
 * The statements of the Clients list and search, defined once in
 * client_sql.c. Internal: for client_list.c, and for the test that
 * checks each statement's query plan (tests/unit/test_client_plans.c).
 * Each is a string literal's array: the statement cache (store_stmt)
 * knows a statement by this address.
 */
#ifndef COMMON_STORE_CLIENT_SQL_H
#define COMMON_STORE_CLIENT_SQL_H

/* A page without a search, by the firm's indexes or an assignee's. */
extern const char client_list_firm_name_sql[];
extern const char client_list_firm_name_desc_sql[];
extern const char client_list_firm_missing_sql[];
extern const char client_list_firm_missing_desc_sql[];
extern const char client_list_user_name_sql[];
extern const char client_list_user_name_desc_sql[];
extern const char client_list_user_missing_sql[];
extern const char client_list_user_missing_desc_sql[];
extern const char client_list_firm_attention_sql[];
extern const char client_list_firm_low_balance_sql[];
extern const char client_list_firm_low_balance_desc_sql[];
extern const char client_list_user_attention_sql[];
extern const char client_count_firm_month_sql[];
extern const char client_count_user_month_sql[];

/* A firm's search in name order: its page, and its count. */
extern const char client_search_page_sql[];
extern const char client_search_page_desc_sql[];
extern const char client_search_grams_page_sql[];
extern const char client_search_grams_page_desc_sql[];
extern const char client_search_count_sql[];
extern const char client_search_count_missing_sql[];
extern const char client_search_grams_count_sql[];
extern const char client_search_grams_count_missing_sql[];

/* An assignee's trigram search in name order: its ranks, in order. */
extern const char client_search_user_name_sql[];
extern const char client_search_user_name_desc_sql[];

/* Every match of a search, for the other orders and short searches. */
extern const char client_match_firm_fts_sql[];
extern const char client_match_firm_grams_sql[];
extern const char client_match_user_scan_sql[];
extern const char client_match_user_fts_sql[];

/* One row of a search's page, by rank or by id. */
extern const char client_search_row_by_rank_sql[];
extern const char client_search_row_sql[];

#endif
