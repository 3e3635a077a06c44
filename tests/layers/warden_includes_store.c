/* Must compile: the control probe. warden sees every layer below it. */
#include "cpw/alloc.h"
#include "cpw/aws_client.h"
#include "cpw/inventory.h"
#include "cpw/store.h"
int cpw_layer_probe(void);
int cpw_layer_probe(void)
{
    return 0;
}
