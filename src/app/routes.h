/* routes.h: the application's route table (see routes.def). */
#ifndef TEND_ROUTES_H
#define TEND_ROUTES_H

#include "platform/http/router.h"

extern const struct route app_routes[];
extern const int app_routes_count;

#endif
