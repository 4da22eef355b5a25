/*
 * banned.h - libc calls that stackhop does not use.
 *
 * Included last by every source file (through util.h), as git does: a use
 * of one of these becomes a compile error that names the bounded form to
 * use instead.
 */
#ifndef STACKHOP_BANNED_H
#define STACKHOP_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_use_a_bounded_form

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
