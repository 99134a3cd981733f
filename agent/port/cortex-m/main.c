/* Minimal bootloader entry for the footprint build: a vector table, the C runtime start (copy .data, zero .bss),
 * then the agent. A real bootloader jumps to the application instead when no update is requested. */
#include <stdint.h>
#include <string.h>

#include "ota_agent.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
void board_init(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);
void USART1_IRQHandler(void);

void Default_Handler(void)
{
    for (;;) {
    }
}

void Reset_Handler(void)
{
    memcpy(&_sdata, &_sidata, (size_t)((uint8_t *)&_edata - (uint8_t *)&_sdata));
    memset(&_sbss, 0, (size_t)((uint8_t *)&_ebss - (uint8_t *)&_sbss));
    board_init();
    ota_agent_init();
    ota_agent_run();
}

typedef void (*vector)(void);
/* Initial stack, 15 system exceptions, then IRQs up to USART1 (37). */
__attribute__((section(".isr_vector"), used)) static const vector vectors[16 + 38] = {
    (vector)(uintptr_t)&_estack, Reset_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, SysTick_Handler,
    [16 + 37] = USART1_IRQHandler,
};
