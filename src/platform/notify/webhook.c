/* webhook.c: signed webhook POSTs with libcurl (see webhook.h). */
#include "webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "platform/util/util.h"

void
webhook_signature(const char *secret, int64_t unix_seconds, const char *body, size_t len, char *out,
                  size_t outlen)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[32], hex[crypto_auth_hmacsha256_BYTES * 2 + 1];

    snprintf(ts, sizeof(ts), "%lld", (long long)unix_seconds);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(out, outlen, "t=%s,v1=%s", ts, hex);
}

/* The answer's body is not kept. */
static size_t
discard(char *ptr, size_t size, size_t nmemb, void *user)
{
    (void)ptr;
    (void)user;
    return size * nmemb;
}

int
webhook_send(const char *url, const char *secret, const char *body, int64_t delivery_id,
             const char *event_type, int64_t timeout_ms, int64_t now, int *code, char *error, size_t errlen)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char line[256], sig[128], curl_err[CURL_ERROR_SIZE] = "";
    long status = 0;
    CURLcode res;

    *code = 0;
    if (!c) {
        strlcopy(error, "cannot start an HTTP client", errlen);
        return -1;
    }
    webhook_signature(secret, now / 1000, body, strlen(body), sig, sizeof(sig));
    h = curl_slist_append(h, "Content-Type: application/json");
    snprintf(line, sizeof(line), "X-Tend-Signature: %s", sig);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof(line), "X-Tend-Event: %.200s", event_type);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof(line), "X-Tend-Delivery: %lld", (long long)delivery_id);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tend-webhook/" TEND_VERSION);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    res = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    *code = (int)status;
    if (res != CURLE_OK) {
        snprintf(error, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(res));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(error, errlen, "the receiver answered HTTP %ld", status);
        return -1;
    }
    return 0;
}
