#ifndef LOCKTRAIL_CCURL_SHIM_H
#define LOCKTRAIL_CCURL_SHIM_H
#include <curl/curl.h>

/* libcurl is not linked: LocktrailHTTP loads it with dlopen at the first request
   (CurlLibrary.swift). curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
   call, so they are called through these typed helpers, given the pointer dlsym returned. */
typedef CURLcode (*locktrail_curl_setopt_function)(CURL *, CURLoption, ...);
typedef CURLcode (*locktrail_curl_getinfo_function)(CURL *, CURLINFO, ...);

static inline CURLcode locktrail_curl_setopt_long(void *f, CURL *h, CURLoption o, long v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
static inline CURLcode locktrail_curl_setopt_string(void *f, CURL *h, CURLoption o, const char *v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
static inline CURLcode locktrail_curl_setopt_pointer(void *f, CURL *h, CURLoption o, void *v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
static inline CURLcode locktrail_curl_setopt_slist(void *f, CURL *h, CURLoption o, struct curl_slist *v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
static inline CURLcode locktrail_curl_setopt_off_t(void *f, CURL *h, CURLoption o, curl_off_t v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
typedef size_t (*locktrail_curl_data_callback)(char *, size_t, size_t, void *);
static inline CURLcode locktrail_curl_setopt_callback(void *f, CURL *h, CURLoption o, locktrail_curl_data_callback v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
/* Progress callback, used to abort a transfer when the awaiting Swift task is cancelled. */
typedef int (*locktrail_curl_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode locktrail_curl_setopt_xferinfo(void *f, CURL *h, CURLoption o, locktrail_curl_xferinfo_callback v) { return ((locktrail_curl_setopt_function)f)(h, o, v); }
static inline CURLcode locktrail_curl_getinfo_long(void *f, CURL *h, CURLINFO i, long *v) { return ((locktrail_curl_getinfo_function)f)(h, i, v); }

#endif
