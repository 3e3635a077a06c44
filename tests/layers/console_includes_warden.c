/* Must compile: the console is built on warden and on the sandbox's HTTP server. */
#include "cpw/apply_file.h"
#include "cpw/console.h"
#include "cpw/http_server.h"
int cpw_layer_probe(void);
int cpw_layer_probe(void)
{
    return 0;
}
