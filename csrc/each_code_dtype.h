/*
 * each_code_dtype.h -- instantiate a family's loops header once per code
 * dtype of MULTIPOLAR_CODE_DTYPES (int8, int16, int32, int64).
 *
 * The including file defines MP_LOOPS_HEADER (the loops header's name, as a
 * string) and whatever other placeholders those loops need (e.g. the value
 * type); this file defines MP_C_T / MP_C_NAME around each include.
 */
#define MP_C_T npy_int8
#define MP_C_NAME int8
#include MP_LOOPS_HEADER
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int16
#define MP_C_NAME int16
#include MP_LOOPS_HEADER
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int32
#define MP_C_NAME int32
#include MP_LOOPS_HEADER
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int64
#define MP_C_NAME int64
#include MP_LOOPS_HEADER
#undef MP_C_T
#undef MP_C_NAME
