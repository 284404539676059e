#ifndef LOCKTRAIL_CCRYPTO_SHIM_H
#define LOCKTRAIL_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/bio.h>

#endif
