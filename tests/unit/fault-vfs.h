/*
 * fault-vfs.h - an SQLite VFS for the unit tests that fails writes with
 * SQLITE_FULL (disk full) on demand: set writes_left to k and the
 * (k+1)-th write from then on fails, and every one after it, until
 * writes_left is -1 again.  reads_left does the same for reads, which
 * fail with SQLITE_IOERR_READ (an I/O error).  fault_vfs_register() makes
 * it the default VFS.
 */
#ifndef STACKHOP_FAULT_VFS_H
#define STACKHOP_FAULT_VFS_H

#include <sqlite3.h>

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_methods;
static long writes_left = -1;	/* -1: never fail; 0: fail every write */
static long writes_failed;
static long reads_left = -1;	/* -1: never fail; 0: fail every read */
static long reads_failed;

struct fault_file {
	sqlite3_file base;
	sqlite3_file *real;	/* follows this struct in the same allocation */
};

#define REAL(f) (((struct fault_file *)(f))->real)

static int f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	if (reads_left == 0) {
		reads_failed++;
		return SQLITE_IOERR_READ;
	}
	if (reads_left > 0)
		reads_left--;
	return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (writes_left == 0) {
		writes_failed++;
		return SQLITE_FULL;
	}
	if (writes_left > 0)
		writes_left--;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), o, n, pp);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
		  int flags, int *out_flags)
{
	struct fault_file *ff = (struct fault_file *)file;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	ff->base.pMethods = ff->real->pMethods ? &fault_methods : NULL;
	return rc;
}

static void fault_vfs_register(void)
{
	static const sqlite3_io_methods m = {
		3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
		f_unlock, f_check, f_fcntl, f_sector, f_caps, f_shmmap, f_shmlock,
		f_shmbarrier, f_shmunmap, f_fetch, f_unfetch,
	};

	real_vfs = sqlite3_vfs_find(NULL);
	fault_methods = m;
	fault_vfs = *real_vfs;
	fault_vfs.zName = "stackhop-fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.xOpen = f_open;
	sqlite3_vfs_register(&fault_vfs, 1);	/* the default from now on */
}

#endif
