/* Must not compile: the command line uses the sandbox's public header, not its internals. */
#include "sbx.h"
int cpw_layer_probe(void);
int cpw_layer_probe(void)
{
    return 0;
}
