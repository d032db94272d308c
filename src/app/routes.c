/* routes.c: the route table, built from routes.def. */
#include "routes.h"

#include "jobs.h"
#include "meta_api.h"
#include "modules/attachments/attachments_api.h"
#include "modules/assets/assets_api.h"
#include "modules/auth/auth_api.h"
#include "modules/notifications/notifications_api.h"
#include "modules/rules/rules_api.h"
#include "modules/customers/customers_api.h"
#include "modules/tickets/tickets_api.h"
#include "modules/sla/calendars_api.h"
#include "modules/sla/policies_api.h"
#include "modules/sla/sla_api.h"
#include "modules/users/users_api.h"

#define ROUTE(method, path, handler, resource, action, body, summary)                           \
    {#method, path, handler, resource, action, body, summary},
const struct route app_routes[] = {
#include "routes.def"
};
#undef ROUTE

const int app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);
