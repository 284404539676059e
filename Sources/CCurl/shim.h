#ifndef LOCKTRAIL_CCURL_SHIM_H
#define LOCKTRAIL_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo are variadic and cannot be called from Swift. */
static inline CURLcode locktrail_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locktrail_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locktrail_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locktrail_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locktrail_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*locktrail_curl_data_callback)(char *, size_t, size_t, void *);
static inline CURLcode locktrail_curl_setopt_callback(CURL *h, CURLoption o, locktrail_curl_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode locktrail_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode locktrail_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

/* Progress callback, used to abort a transfer when the awaiting Swift task is cancelled. */
typedef int (*locktrail_curl_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode locktrail_curl_setopt_xferinfo(CURL *h, CURLoption o, locktrail_curl_xferinfo_callback v) { return curl_easy_setopt(h, o, v); }

#endif
