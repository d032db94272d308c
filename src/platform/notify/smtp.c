/* smtp.c: one email out through SMTP with libcurl (see smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "platform/util/util.h"

struct upload {
    const char *data;
    size_t len, off;
};

static size_t
feed(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct upload *u = user;
    size_t room = size * nmemb, n = u->len - u->off;

    if (n > room)
        n = room;
    memcpy(ptr, u->data + u->off, n);
    u->off += n;
    return n;
}

static const char *
member(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s && *s ? s : NULL;
}

int
smtp_send(const struct notify_config *cfg, const char *payload, int64_t now, int *code, char *error,
          size_t errlen)
{
    json_t *p = json_loads(payload, 0, NULL);
    struct mail_message m;
    struct upload up;
    struct curl_slist *rcpt = NULL;
    char boundary[64], addr[300], curl_err[CURL_ERROR_SIZE] = "";
    char *text = NULL;
    CURL *c = NULL;
    CURLcode res;
    long reply = 0;
    int rc = -1;

    *code = 0;
    memset(&m, 0, sizeof(m));
    if (!p || !member(p, "to") || !member(p, "subject") || !member(p, "message_id")) {
        strlcopy(error, "the stored message is incomplete", errlen);
        goto out;
    }
    m.from_name = cfg->smtp_from_name[0] ? cfg->smtp_from_name : NULL;
    m.from_addr = cfg->smtp_from_addr;
    m.to_name = member(p, "to_name");
    m.to_addr = member(p, "to");
    m.subject = member(p, "subject");
    m.text = member(p, "text") ? member(p, "text") : "";
    m.html = member(p, "html");
    m.message_id = member(p, "message_id");
    m.in_reply_to = member(p, "in_reply_to");
    m.references = member(p, "references");
    m.date_ms = now;
    snprintf(boundary, sizeof(boundary), "=_tend_%llx_%llx", (unsigned long long)now,
             (unsigned long long)hash_fnv1a(m.message_id));
    m.boundary = boundary;
    text = mime_build(&m);
    up.data = text;
    up.len = strlen(text);
    up.off = 0;
    c = curl_easy_init();
    if (!c) {
        strlcopy(error, "cannot start an SMTP client", errlen);
        goto out;
    }
    snprintf(addr, sizeof(addr), "<%s>", m.to_addr);
    rcpt = curl_slist_append(rcpt, addr);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_USE_SSL, cfg->smtp_tls == SMTP_TLS_STARTTLS ? (long)CURLUSESSL_ALL
                                                                           : (long)CURLUSESSL_NONE);
    snprintf(addr, sizeof(addr), "<%s>", cfg->smtp_from_addr);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    res = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    *code = (int)reply;
    if (res != CURLE_OK) {
        snprintf(error, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(res));
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(rcpt);
    if (c)
        curl_easy_cleanup(c);
    free(text);
    json_decref(p);
    return rc;
}
