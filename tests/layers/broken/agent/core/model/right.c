#include "dlo/right.h"
