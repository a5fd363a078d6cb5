/* An engine object that calls the front (the command line's help text): the call the layer
 * libraries must refuse to link. Built only by the test style.layers-links-catches. */
#include "dlo/cli.h"

void dlo_wrong_way(dlo_buf *b);

void dlo_wrong_way(dlo_buf *b)
{
    dlo_cli_help(b);
}
