#include "dlo/hostname.h"

#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

#define EXPECTED                                                                                   \
    "expected a host name of two or more labels separated by dots (dlo-admin.corp.example), each " \
    "of 1-63 ASCII letters, digits and hyphens, not starting or ending with a hyphen, at most "    \
    "253 characters, no trailing dot, the last label not all digits"

static bool is_alpha(char c)
{
    char l = dlo_ascii_lower(c);
    return l >= 'a' && l <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *say(char *why, size_t size, const char *first)
{
    snprintf(why, size, "%s; " EXPECTED, first);
    return why;
}

/* The character at s[i] for a message: itself when printable ASCII, else its byte in hex. */
static const char *shown(const char *s, size_t i, char *buf, size_t size)
{
    unsigned char c = (unsigned char)s[i];
    if (c > 0x20 && c < 0x7f && c != '\'')
        snprintf(buf, size, "'%c'", (char)c);
    else
        snprintf(buf, size, "byte 0x%02x%s", c,
                 c >= 0x80 ? " (not ASCII: write an internationalised name as its xn-- A-label)"
                           : "");
    return buf;
}

/* One label, s[0..n): NULL or why not. */
static const char *check_label(const char *s, size_t n, char *why, size_t size)
{
    char c[96];
    size_t i;
    if (n == 0)
        return say(why, size, "it has an empty label (two dots in a row, or a dot first)");
    if (n > DLO_HOSTNAME_LABEL_MAX)
        return say(why, size, "it has a label longer than 63 characters");
    for (i = 0; i < n; i++)
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-') {
            char first[160];
            snprintf(first, sizeof(first), "it holds %s, which no host name label may",
                     shown(s, i, c, sizeof(c)));
            return say(why, size, first);
        }
    if (s[0] == '-' || s[n - 1] == '-')
        return say(why, size, "a label starts or ends with a hyphen");
    return NULL;
}

const char *dlo_hostname_check(const char *s, size_t n, char *why, size_t why_size)
{
    size_t start = 0, i, labels = 0, digit_labels = 0;
    bool last_all_digits = true;

    if (n == 0)
        return say(why, why_size, "it is empty");
    if (n > DLO_HOSTNAME_MAX)
        return say(why, why_size, "it is longer than 253 characters");
    if (s[n - 1] == '.')
        return say(why, why_size, "it ends with a dot");
    for (i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        if (check_label(s + start, i - start, why, why_size))
            return why;
        labels++;
        last_all_digits = true;
        for (; start < i; start++)
            last_all_digits = last_all_digits && is_digit(s[start]);
        digit_labels += last_all_digits;
        start = i + 1;
    }
    if (labels < 2)
        return say(why, why_size,
                   "it is a single label, which Windows may resolve by LLMNR or NetBIOS from any "
                   "machine on the local network");
    if (last_all_digits)
        return say(why, why_size, "its last label is all digits, as no top-level domain is");
    if (digit_labels + 1 == labels)
        return say(why, why_size,
                   "every label but the last is all digits: it reads as a mistyped IPv4 address");
    return NULL;
}

bool dlo_hostname_intended(const char *s, size_t n)
{
    size_t i;
    bool named = false;
    for (i = 0; i < n; i++) {
        char l = dlo_ascii_lower(s[i]);
        if (s[i] == ':')
            return false;
        if ((l >= 'g' && l <= 'z') || (unsigned char)s[i] >= 0x80 || s[i] == '%' || s[i] == '\\' ||
            s[i] == '_')
            named = true;
    }
    return named;
}

void dlo_hostname_lower(const char *s, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++)
        out[i] = dlo_ascii_lower(s[i]);
    out[n] = '\0';
}
