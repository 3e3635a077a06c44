/* Must not compile: warden and sandbox are siblings; neither sees the other. */
#include "cpw/sandbox.h"
int cpw_layer_probe(void);
int cpw_layer_probe(void)
{
    return 0;
}
