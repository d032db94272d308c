/* attachments_api.h: the HTTP routes of the attachments module (see routes.def). */
#ifndef TEND_ATTACHMENTS_API_H
#define TEND_ATTACHMENTS_API_H

#include "platform/http/api.h"

void attachments_api_upload(struct api_req *r);
void attachments_api_list(struct api_req *r);
void attachments_api_download(struct api_req *r);

#endif
