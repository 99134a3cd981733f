/* An in-memory HAL for the agent's unit tests: the test queues bytes for the agent's UART and reads what it sent;
 * flash and the resume state are arrays; the clock only moves when the test says so. */
#ifndef TEST_HAL_H
#define TEST_HAL_H
#include <stddef.h>
#include <stdint.h>

#define TEST_FLASH_BYTES (256u * 1024u)

extern uint8_t test_flash[TEST_FLASH_BYTES];
extern uint32_t test_now_ms;
extern int test_bootable_calls;

void test_hal_reset(int keep_flash_and_state);
/* Bytes for the agent to read. */
void test_uart_push(const uint8_t *data, size_t len);
/* Takes what the agent sent since the last call. */
size_t test_uart_take(uint8_t *out, size_t max);

#endif
