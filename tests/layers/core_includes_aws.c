/* Must not compile: core is the bottom layer and cannot see aws's headers. */
#include "cpw/aws_client.h"
int cpw_layer_probe(void);
int cpw_layer_probe(void)
{
    return 0;
}
