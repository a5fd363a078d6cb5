#include "dlo/left.h"
