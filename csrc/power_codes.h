/*
 * power_codes.h -- instantiate power_loops.h for every code dtype of
 * MULTIPOLAR_CODE_DTYPES, for the value dtype MP_V_T / MP_V_NAME that the
 * including file has defined. Included by power.c once per value dtype.
 */
#define MP_C_T npy_int8
#define MP_C_NAME int8
#include "power_loops.h"
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int16
#define MP_C_NAME int16
#include "power_loops.h"
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int32
#define MP_C_NAME int32
#include "power_loops.h"
#undef MP_C_T
#undef MP_C_NAME

#define MP_C_T npy_int64
#define MP_C_NAME int64
#include "power_loops.h"
#undef MP_C_T
#undef MP_C_NAME
