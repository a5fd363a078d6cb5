#include "dlo/text.h"

int dlo_text_length(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

int dlo_text_twice(void)
{
    return 2;
}
